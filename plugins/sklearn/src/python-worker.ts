import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Answer {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
  kind?: string;
}

/** An error the Python side raised (bad data, unknown model): the caller's fault, not the worker's. */
export class PythonCallError extends Error {
  override readonly name = 'PythonCallError';
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

/**
 * One long-lived Python process answering JSON lines. Calls are matched to
 * answers by id, so several may be in flight. If the process dies, every call in
 * flight is rejected (with its stderr tail) and the next call starts a new one; a
 * call that times out kills the process for the same fresh start.
 */
export class PythonWorker {
  private child?: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stderrTail = '';
  private closing = false;
  /** How many times a process was started (1 after the first call). */
  starts = 0;

  constructor(
    private readonly executable: string,
    private readonly script: string,
    private readonly callTimeoutMs: number,
  ) {}

  /** The running process's pid, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  call<T>(op: string, payload: Record<string, unknown> = {}): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the Python worker is shutting down'));
    const child = this.child ?? this.start();
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Python call "${op}" took longer than ${this.callTimeoutMs} ms; the worker was restarted`));
        child.kill('SIGKILL');
      }, this.callTimeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      child.stdin.write(`${JSON.stringify({ id, op, ...payload })}\n`);
    });
  }

  /** Ends the process (stdin closed, then SIGKILL after `graceMs`) and rejects anything in flight. */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.executable, ['-u', this.script], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.starts++;
    this.stderrTail = '';
    createInterface({ input: child.stdout }).on('line', (line) => this.answer(line));
    child.stderr.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000)));
    child.stdin.on('error', () => undefined); // a write to a dead process: reported by 'exit'
    child.on('error', (error) =>
      this.failAll(child, `the Python worker (${this.executable}) could not start: ${error.message}`),
    );
    child.on('exit', (code, signal) =>
      this.failAll(
        child,
        `the Python worker exited (${signal ?? `code ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim().split('\n').at(-1)}` : ''}`,
      ),
    );
    return child;
  }

  private answer(line: string): void {
    let answer: Answer;
    try {
      answer = JSON.parse(line) as Answer;
    } catch {
      return; // not ours (a library printing to stdout)
    }
    const pending = this.pending.get(answer.id);
    if (!pending) return;
    this.pending.delete(answer.id);
    clearTimeout(pending.timer);
    if (answer.ok) pending.resolve(answer.result);
    else pending.reject(new PythonCallError(answer.error ?? 'unknown Python error', answer.kind ?? 'Error'));
  }

  private failAll(child: ChildProcessWithoutNullStreams, message: string): void {
    if (this.child === child) this.child = undefined;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(message));
      this.pending.delete(id);
    }
  }
}
