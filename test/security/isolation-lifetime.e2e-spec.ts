import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addPlugin } from '../faults/fault-host.js';
import { PackageTree, REPO } from '../library/package-tree.js';
import { isAlive } from './isolation-attacks.js';

const SCENARIO = fileURLToPath(new URL('./isolation-scenario.mjs', import.meta.url));
// Where util-linux's setpriv is installed, the kernel kills the child with its host (PR_SET_PDEATHSIG).
const PARENT_DEATH_SIGNAL =
  process.platform === 'linux' && ['/usr/bin/setpriv', '/bin/setpriv'].some((path) => existsSync(path));

interface Started {
  host: ChildProcess;
  /** The host's and its child's pids, printed first. */
  pids: Promise<{ host: number; child: number }>;
  /** The next line the host prints. */
  next: () => Promise<Record<string, unknown>>;
}

// A real host in its own Node process (this test kills it), its process-tier plugin "victim", and what it prints.
describe('a process-tier plugin and its host’s life', () => {
  let tree: PackageTree | undefined;
  const pids: number[] = [];
  afterEach(() => {
    for (const pid of pids.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    tree?.remove();
    tree = undefined;
  });

  function start(scenario: string, env: Record<string, string> = {}): Started {
    tree = new PackageTree(REPO);
    addPlugin(
      tree,
      'victim',
      // A plugin with a periodic task: its timer alone keeps its event loop (and so its process) going.
      "initialize() { this.tick = setInterval(() => undefined, 1000); }\n  pid() { return process.pid; }\n  killParent() { process.kill(process.ppid, 'SIGKILL'); }\n  spin() { for (;;) {} }",
      { isolation: 'process' },
    );
    const host = spawn(process.execPath, [SCENARIO], {
      env: { ...process.env, NODE_OPTIONS: '', PLUGIN_ROOT: tree.root, SCENARIO: scenario, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    pids.push(host.pid!);
    let output = '';
    let errors = '';
    let read = 0;
    const waiting: (() => void)[] = [];
    host.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    host.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const wake of waiting.splice(0)) wake();
    });
    host.on('exit', () => {
      for (const wake of waiting.splice(0)) wake();
    });
    const next = async (): Promise<Record<string, unknown>> => {
      for (;;) {
        const lines = output.split('\n').filter((line) => line.startsWith('{'));
        if (lines.length > read) return JSON.parse(lines[read++]) as Record<string, unknown>;
        if (host.exitCode !== null || host.signalCode !== null)
          throw new Error(
            `the host exited (${host.signalCode ?? host.exitCode}) before it printed: ${output}${errors}`,
          );
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    };
    const ids = next().then((event) => {
      pids.push(event.child as number); // cleaned up whatever happens next
      return event as { host: number; child: number };
    });
    return { host, pids: ids, next };
  }

  const exited = (host: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
    host.exitCode !== null || host.signalCode !== null
      ? Promise.resolve({ code: host.exitCode, signal: host.signalCode })
      : new Promise((resolve) => host.on('exit', (code, signal) => resolve({ code, signal })));

  async function goneWithin(pid: number, ms: number): Promise<number> {
    const started = Date.now();
    while (isAlive(pid)) {
      if (Date.now() - started > ms) throw new Error(`process ${pid} still runs ${ms} ms after its host was killed`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Date.now() - started;
  }

  it('cannot SIGKILL its host: process.kill(process.ppid) fails with ERR_ACCESS_DENIED, the host runs on and closes', async () => {
    const { host, pids: started, next } = start('kill-parent');
    await started;
    await expect(next()).resolves.toMatchObject({ code: 'ERR_ACCESS_DENIED', hostAlive: true });
    await expect(exited(host)).resolves.toEqual({ code: 0, signal: null });
  }, 30_000);

  for (const [how, env] of [
    ['the pipe to its host closes', { NESTJS_PLUGIN_HOST_PDEATHSIG: '0' }],
    ['the kernel’s parent-death signal where setpriv is installed, else the pipe', {}],
  ] as const) {
    it(`an idle child is gone within 2 s of its host being SIGKILLed (${how})`, async () => {
      const { host, pids: started } = start('idle', env);
      const { child } = await started;
      expect(isAlive(child)).toBe(true);
      host.kill('SIGKILL');
      await exited(host);
      await goneWithin(child, 2000);
    }, 30_000);
  }

  (PARENT_DEATH_SIGNAL ? it : it.skip)(
    'a child whose event loop is blocked is gone within 2 s of its host being SIGKILLed (Linux, setpriv)',
    async () => {
      const { host, pids: started, next } = start('busy');
      const { child } = await started;
      await expect(next()).resolves.toEqual({ spinning: true });
      expect(isAlive(child)).toBe(true);
      host.kill('SIGKILL');
      await exited(host);
      await goneWithin(child, 2000);
    },
    30_000,
  );
});
