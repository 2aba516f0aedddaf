import { expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../library/package-tree.js';
import type { FaultCase } from './fault-cases.js';
import { addPlugin, type FaultHost } from './fault-host.js';

/** Runs the timer scenario in plain Node on the host's tree; returns what it printed. */
async function runScenario(host: FaultHost): Promise<{
  status: number;
  body: { bystander: string };
  faulty: { state: string; error?: { code: string; message: string } };
}> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(REPO, 'test/faults/timer-scenario.mjs')], {
    cwd: REPO,
    env: { ...process.env, PLUGIN_ROOT: host.tree.root, NODE_OPTIONS: '' },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

export const TIMER_FAULT_CASES: FaultCase[] = [
  {
    name: 'uncaught exception from a timer',
    tier: 'in-process',
    outcome:
      'the host process survives and serves; the plugin is `failed`, `PLUGIN_CRASHED`, with the error (traced by its stack)',
    async run(host) {
      addPlugin(host.tree, 'faulty', "initialize() { setTimeout(() => { throw new Error('late throw'); }, 50); }");
      const result = await runScenario(host);
      expect(result.status).toBe(200);
      expect(result.body.bystander).toBe('bystander ok');
      expect(result.faulty.state).toBe('failed');
      expect(result.faulty.error).toMatchObject({
        code: 'PLUGIN_CRASHED',
        message: expect.stringContaining('uncaught exception outside any call (late throw)'),
      });
    },
  },
  {
    name: 'unhandled rejection from a timer',
    tier: 'in-process',
    outcome: 'the host process survives and serves; the plugin is `failed`, `PLUGIN_CRASHED`, with the reason',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        "initialize() { setTimeout(() => { Promise.reject(new Error('dropped promise')); }, 50); }",
      );
      const result = await runScenario(host);
      expect(result.status).toBe(200);
      expect(result.faulty.error).toMatchObject({
        code: 'PLUGIN_CRASHED',
        message: expect.stringContaining('unhandled rejection outside any call (dropped promise)'),
      });
    },
  },
];
