import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { PluginErrorCode } from '../errors/index.js';
import { FrameReader, frame } from './frames.js';
import { overLimit, type FailureCode } from './isolate-messages.js';
import type { IsolationSettings } from './isolation-settings.js';
import { hostSamplesProcesses, type MemoryGuard } from './memory-guard.js';

/** The runtime the worker or child process runs (plain JS, loadable from src and dist). */
const RUNTIME = fileURLToPath(new URL('./runtime/plugin-runtime.mjs', import.meta.url));
/** This library's package folder: isolates load its code (the plugin imports it). */
const LIBRARY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How the host talks to one isolate: a worker thread, or a child process over framed pipes. */
export interface Transport {
  /** Sends a message; throws (a `DataCloneError`) when it cannot be cloned. */
  send(message: unknown): void;
  /** Ends the worker or process; until it has exited, `exitsUnderway` holds it so shutdown can wait for it. */
  kill(): void;
  /** Keep the host's event loop alive (a call is waiting for an answer), or not (idle). */
  hold(held: boolean): void;
}

/** What a transport reports to its isolate. */
export interface TransportEvents {
  message(raw: unknown): void;
  /** The isolate must be stopped: it broke the protocol or went over a cap. */
  violation(code: FailureCode, reason: string): void;
  exit(reason: string): void;
}

/** Workers and processes that were told to end and have not exited yet (shutdown waits for them: see `isolatesExited`). */
const exitsUnderway = new Set<Promise<void>>();

/** Resolves once every worker and process told to end has exited, or after `timeoutMs` (a process the kernel has not reaped yet). */
export async function isolatesExited(timeoutMs = 5000): Promise<void> {
  if (exitsUnderway.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs).unref()));
  await Promise.race([Promise.all(exitsUnderway), late]);
  clearTimeout(timer);
}

/** Holds `exited` in `exitsUnderway` until it settles. */
function awaitExit(exited: Promise<void>): void {
  exitsUnderway.add(exited);
  void exited.finally(() => exitsUnderway.delete(exited));
}

/** A worker thread running the runtime, with a heap cap. */
export function workerTransport(
  init: unknown,
  settings: IsolationSettings,
  events: TransportEvents,
  guard: MemoryGuard,
): Transport {
  const worker = new Worker(RUNTIME, {
    workerData: { init },
    resourceLimits: { maxOldGenerationSizeMb: settings.heapMb },
    stdout: false,
    stderr: false,
  });
  let lastError: string | undefined;
  worker.on('message', (raw: unknown) => events.message(raw));
  worker.on('error', (error: Error & { code?: string }) => {
    lastError =
      error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `it ran out of memory (heap limit ${settings.heapMb} MB)`
        : `uncaught ${error.name}: ${error.message}`;
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('exit', (code) => events.exit(lastError ?? `its worker exited with code ${code}`));
  guard.watchWorker();
  return {
    send: (message) => worker.postMessage(message),
    kill: () => {
      awaitExit(exited);
      worker.ref(); // a host awaiting the exit must not see its event loop end first
      void worker.terminate();
    },
    hold: (held) => (held ? worker.ref() : worker.unref()),
  };
}

/** A child process running the runtime under Node's permission model, talking over fd 3. */
export function processTransport(
  init: unknown,
  packageDir: string,
  settings: IsolationSettings,
  events: TransportEvents,
  guard: MemoryGuard,
): Transport {
  let stderr = '';
  const [command, ...prefix] = parentDeathWrapper();
  const child: ChildProcess = spawn(
    command ?? process.execPath,
    [
      ...prefix,
      ...(command ? [process.execPath] : []),
      ...permissionFlags(packageDir, settings),
      `--max-old-space-size=${settings.heapMb}`,
      '--no-warnings',
      RUNTIME,
    ],
    {
      // fd 3: the frames in both directions. No IPC channel: Node's IPC buffers whole messages of any size.
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH },
      // Its own session and process group: a terminal's Ctrl-C reaches the host, which stops it in order.
      detached: process.platform !== 'win32',
      windowsHide: true,
      ...(settings.uid !== undefined && { uid: settings.uid }),
      ...(settings.gid !== undefined && { gid: settings.gid }),
    },
  );
  const pipe = child.stdio[3] as Socket;
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()).once('error', () => resolve()));
  let gone = false;
  const reader = new FrameReader(
    settings.maxMessageBytes,
    (body) => {
      let message: unknown;
      try {
        message = deserialize(body);
      } catch (error) {
        return events.violation(
          PluginErrorCode.PROTOCOL_ERROR,
          `a frame it sent could not be read (${(error as Error).message})`,
        );
      }
      events.message(message);
    },
    (announced) =>
      announced === 0
        ? events.violation(PluginErrorCode.PROTOCOL_ERROR, 'it sent an empty frame')
        : events.violation(
            PluginErrorCode.RESOURCE_LIMIT,
            `it sent a message that ${overLimit(announced, settings.maxMessageBytes).slice(3)}`,
          ),
  );
  pipe.on('data', (chunk: Buffer) => reader.push(chunk));
  pipe.on('error', () => undefined); // EPIPE when it dies: its exit is reported
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const end = (reason: string): void => {
    if (gone) return;
    gone = true;
    reader.stop();
    pipe.destroy();
    events.exit(reason);
  };
  child.on('exit', (code, signal) => {
    const lastLine = stderr.trim().split('\n').filter(Boolean).at(-1);
    const oom = /heap out of memory|Allocation failed/i.test(stderr);
    end(
      oom
        ? `it ran out of memory (heap limit ${settings.heapMb} MB)`
        : `its process exited (${signal ?? `code ${code}`})${lastLine ? `: ${lastLine}` : ''}`,
    );
  });
  child.on('error', (error) => {
    child.kill('SIGKILL');
    end(`its process failed: ${error.message}`);
  });
  if (child.pid !== undefined && hostSamplesProcesses()) guard.watchProcess(child.pid);
  const send = (message: unknown): void => void pipe.write(frame(serialize(message)));
  send(init);
  const hold = (held: boolean): void => {
    for (const handle of [child, pipe, child.stderr as Socket | null]) {
      if (held) handle?.ref();
      else handle?.unref();
    }
  };
  return {
    send,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) {
        awaitExit(exited);
        child.ref(); // a host awaiting the exit must not see its event loop end first
      }
      reader.stop();
      child.kill('SIGKILL');
      pipe.destroy();
      child.stderr?.destroy(); // the reason is known: nothing more to read
    },
    hold,
  };
}

let deathWrapper: string[] | undefined;

/**
 * On Linux, util-linux's `setpriv --pdeathsig KILL` makes the kernel kill the child when the host dies, even if
 * the child's event loop is blocked (Node cannot call prctl(PR_SET_PDEATHSIG) itself). Checked once; where it is
 * missing (or `NESTJS_PLUGIN_HOST_PDEATHSIG=0`), the runtime's own watch (the pipe closing, the parent pid
 * changing) is all there is.
 */
function parentDeathWrapper(): string[] {
  if (deathWrapper) return deathWrapper;
  deathWrapper = [];
  if (process.platform !== 'linux' || process.env.NESTJS_PLUGIN_HOST_PDEATHSIG === '0') return deathWrapper;
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
  if (
    setpriv &&
    spawnSync(setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, '--version'], { stdio: 'ignore', timeout: 5000 })
      .status === 0
  )
    deathWrapper = [setpriv, '--pdeathsig', 'KILL', '--'];
  return deathWrapper;
}

/**
 * Node's permission model for the `process` tier: read the plugin's package, the
 * runtime and the installed packages (node_modules) code is loaded from, plus
 * what the host grants; write only what the host grants; no child processes, no
 * workers.
 */
function permissionFlags(packageDir: string, settings: IsolationSettings): string[] {
  const flag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
  const read = [packageDir, dirname(RUNTIME), LIBRARY_ROOT, ...settings.moduleDirs, ...settings.allowRead];
  return [
    flag,
    ...read.map((path) => `--allow-fs-read=${path}`),
    ...settings.allowWrite.map((path) => `--allow-fs-write=${path}`),
  ];
}
