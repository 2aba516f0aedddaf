import { describe, expect, it } from '@jest/globals';
import { PhaseSignal, runPhase } from './run-phase.js';

describe('runPhase', () => {
  it('returns the value and the time taken', async () => {
    const outcome = await runPhase('p', 'initialize', 1_000, () => 42);
    expect(outcome).toMatchObject({ ok: true, value: 42, timedOut: false });
    expect(outcome.ms).toBeGreaterThanOrEqual(0);
  });

  it('catches a synchronous throw and a rejection', async () => {
    const thrown = await runPhase('p', 'initialize', 1_000, () => {
      throw new Error('sync');
    });
    const rejected = await runPhase('p', 'initialize', 1_000, () => Promise.reject(new Error('async')));
    expect(thrown).toMatchObject({ ok: false, timedOut: false, error: new Error('sync') });
    expect(rejected).toMatchObject({ ok: false, timedOut: false, error: new Error('async') });
  });

  it('times out with PLUGIN_TIMEOUT naming plugin and phase, and aborts the signal with that error', async () => {
    let seen: AbortSignal | undefined;
    const outcome = await runPhase('slowpoke', 'cleanup', 10, (phase) => {
      seen = phase.signal;
      return new Promise(() => undefined);
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.timedOut).toBe(true);
    expect(outcome.error).toMatchObject({ code: 'PLUGIN_TIMEOUT', plugin: 'slowpoke', phase: 'cleanup' });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(outcome.error);
  });

  it('swallows a rejection that arrives after the timeout (it must not crash the host)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await runPhase(
        'late',
        'initialize',
        5,
        () => new Promise((_, reject) => setTimeout(() => reject(new Error('too late')), 20)),
      );
      await new Promise((r) => setTimeout(r, 40));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('runs without a timer when the timeout is Infinity', async () => {
    const outcome = await runPhase(
      'p',
      'initialize',
      Infinity,
      () => new Promise((r) => setTimeout(() => r('done'), 5)),
    );
    expect(outcome).toMatchObject({ ok: true, value: 'done' });
  });

  it('creates the signal only when read, already aborted if read after the timeout', async () => {
    let phase: PhaseSignal | undefined;
    const outcome = await runPhase('late', 'initialize', 10, (p) => {
      phase = p;
      return new Promise(() => undefined);
    });
    expect(outcome.timedOut).toBe(true);
    expect(phase!.signal.aborted).toBe(true);
    expect(phase!.signal.reason).toBe(outcome.error);
  });
});
