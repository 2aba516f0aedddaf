import { execFile } from 'node:child_process';

/** The Pythons tried when no `pythonPath` is set: the one on PATH, then Debian's (which `python3-sklearn` installs into). */
export const DEFAULT_PYTHONS = ['python3', '/usr/bin/python3'];

export interface PythonFound {
  executable: string;
  sklearn: string;
}

export interface PythonSearch {
  found?: PythonFound;
  /** Why each candidate was passed over. */
  tried: { executable: string; problem: string }[];
}

const PROBE = 'import json, sklearn, numpy; print(json.dumps({"sklearn": sklearn.__version__}))';

/** The first of `candidates` that can import scikit-learn and numpy (each probed with a short `python -c`). */
export async function findPython(candidates: readonly string[], timeoutMs = 20_000): Promise<PythonSearch> {
  const tried: PythonSearch['tried'] = [];
  for (const executable of candidates) {
    const outcome = await probe(executable, timeoutMs);
    if (typeof outcome === 'string') tried.push({ executable, problem: outcome });
    else return { found: { executable, sklearn: outcome.sklearn }, tried };
  }
  return { tried };
}

function probe(executable: string, timeoutMs: number): Promise<{ sklearn: string } | string> {
  return new Promise((done) => {
    execFile(executable, ['-c', PROBE], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (!error) {
        try {
          return done(JSON.parse(stdout) as { sklearn: string });
        } catch {
          return done(`printed ${JSON.stringify(stdout.slice(0, 100))}`);
        }
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return done('not found');
      const lastLine = stderr.trim().split('\n').at(-1);
      done(lastLine || error.message);
    });
  });
}

/** What to do when no Python with scikit-learn was found. */
export function installAdvice(search: PythonSearch): string {
  const tried = search.tried.map(({ executable, problem }) => `${executable}: ${problem}`).join('; ');
  return (
    `no Python with scikit-learn was found (${tried}). ` +
    'On Debian or Ubuntu: sudo apt-get install python3-sklearn (it installs into /usr/bin/python3). ' +
    'Elsewhere: pip install scikit-learn numpy, then set the plugin config pythonPath (env PLUGIN_SKLEARN_PYTHON_PATH) to that python.'
  );
}
