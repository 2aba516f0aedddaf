import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FaultHost, addPlugin } from '../faults/fault-host.js';
import { RAW_CHANNEL } from './isolation-attacks.js';

// Property-based: whatever an isolate writes to its channel (random messages of every protocol type with
// fields of any shape, and anything at all), the host never throws, keeps serving, the other plugins (one
// in-process, one in the same tier) keep answering, and the plugin that sent it either stays enabled (the
// message was valid) or is failed with PLUGIN_PROTOCOL_ERROR / PLUGIN_RESOURCE_LIMIT.

const NAMES = ['__proto__', 'constructor', 'toString', 'then', 'log', 'nope', 'call', ''];
const field: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: true,
  }),
  fc.constantFrom(
    undefined,
    null,
    -1,
    0,
    1,
    1.5,
    2 ** 53,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    'x'.repeat(100_000),
    ...NAMES,
  ),
  fc.array(fc.oneof(fc.constantFrom(...NAMES), fc.string()), { maxLength: 4 }),
);
const shaped = fc.record(
  {
    type: fc.constantFrom(
      'ready',
      'load-error',
      'result',
      'log',
      'host-call',
      'memory',
      'init',
      'call',
      'host-result',
      '__proto__',
      'then',
    ),
    id: fc.oneof(fc.integer({ min: -2, max: 5 }), field),
    ok: fc.oneof(fc.boolean(), field),
    value: field,
    bytes: fc.oneof(fc.uint8Array({ maxLength: 32 }), field),
    error: fc.oneof(
      fc.record({ name: field, message: field, code: field, stack: field, details: field }, { requiredKeys: [] }),
      field,
    ),
    level: fc.oneof(fc.constantFrom('log', 'error', 'warn', 'debug', 'verbose'), field),
    message: field,
    token: fc.oneof(fc.constantFrom('Greeter', '__proto__'), field),
    method: fc.oneof(fc.constantFrom(...NAMES), field),
    args: fc.oneof(fc.array(field, { maxLength: 3 }), field),
    methods: fc.oneof(fc.array(fc.oneof(fc.constantFrom(...NAMES), fc.string()), { maxLength: 5 }), field),
    asyncMethods: field,
    hooks: fc.oneof(
      fc.array(fc.record({ hook: field, method: field, priority: field, timeout: field }, { requiredKeys: [] }), {
        maxLength: 2,
      }),
      field,
    ),
    metadata: fc.oneof(fc.record({ description: field, timeouts: field, inject: field }, { requiredKeys: [] }), field),
    heap: fc.oneof(fc.nat(), field),
    external: fc.oneof(fc.nat(), field),
    rss: fc.oneof(fc.nat(), field),
  },
  { requiredKeys: ['type'] },
);
const message = fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: field });

type Sender = { send(message: unknown): Promise<unknown> };
type Calm = { ping(): Promise<string> };

describe('isolate protocol fuzzing', () => {
  for (const [tier, runs] of [
    ['worker', 60],
    ['process', 25],
  ] as const) {
    it(`${tier}: random and malformed messages fail only the plugin that sent them`, async () => {
      const host = new FaultHost();
      try {
        addPlugin(
          host.tree,
          'faulty',
          'send(message) { rawSend(message); return "sent"; }',
          { isolation: tier },
          RAW_CHANNEL,
        );
        addPlugin(host.tree, 'calm', 'ping() { return "calm"; }', { isolation: tier });
        await host.boot({ crashBudget: { crashes: 1000 } });
        const outcomes = new Map<string, number>();
        await fc.assert(
          fc.asyncProperty(message, async (sent) => {
            if (host.plugins.info('faulty').state !== 'enabled') await host.plugins.enable('faulty');
            const answer = await host
              .reference<Sender>('faulty')
              .send(sent)
              .then(
                () => 'answered',
                (error: { code?: string }) => error.code ?? 'no code',
              );
            await new Promise((resolve) => setTimeout(resolve, 10)); // a host-call's answer, a late result
            const info = host.plugins.info('faulty');
            const outcome = info.state === 'enabled' ? `enabled (${answer})` : `${info.state}: ${info.error?.code}`;
            outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
            expect(['enabled', 'failed']).toContain(info.state);
            if (info.state === 'failed')
              expect(['PLUGIN_PROTOCOL_ERROR', 'PLUGIN_RESOURCE_LIMIT']).toContain(info.error?.code);
            await host.expectServing();
            await expect(host.reference<Calm>('calm').ping()).resolves.toBe('calm');
          }),
          { numRuns: runs, endOnFailure: true },
        );
        // The fuzzing reached the refusals, not only valid messages.
        expect([...outcomes.keys()].some((outcome) => outcome.includes('PLUGIN_PROTOCOL_ERROR'))).toBe(true);
      } finally {
        await host.close();
      }
    }, 180_000);
  }
});
