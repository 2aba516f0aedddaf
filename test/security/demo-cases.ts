import { expect, jest } from '@jest/globals';
import { getMetadataStorage } from 'class-validator';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlgorithmPlugin } from '@nestjs-plugin-host/anomaly-contracts';
import { PluginHooks, PluginManager } from 'nestjs-plugin-host';
import { PyodConfig, PyodPlugin } from '../../plugins/pyod/src/index.js';
import { SklearnConfig, SklearnPlugin } from '../../plugins/sklearn/src/index.js';
import type { DemoHost } from './demo-host.js';

/** One attack on the demo's endpoints (or on the plugins it runs). The README's attack table lists the same cases. */
export interface DemoCase {
  name: string;
  area: string;
  outcome: string;
  run(host: DemoHost): Promise<void>;
}

const SMALL = [
  [1, 1],
  [1.1, 0.9],
  [0.9, 1.2],
  [9, 9],
];

/** JSON text of an object nested `levels` deep (`{"a":{"a":...}}`), built as text (JSON.stringify would recurse). */
const deepObject = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** The response is a 400 whose message (a string, or the ValidationPipe's list) matches `reason`. */
async function expect400(response: { status: number; body: { message?: unknown } }, reason: RegExp): Promise<void> {
  const { message } = response.body;
  expect({ status: response.status, message: Array.isArray(message) ? message.join('; ') : String(message) }).toEqual({
    status: 400,
    message: expect.stringMatching(reason),
  });
}

export const SECURITY_CASES: DemoCase[] = [
  {
    name: 'pyod params beyond the caps of its config schema',
    area: 'demo POST /detect',
    outcome:
      '400 naming the parameter and the cap (`params: nEstimators must not be greater than 10000`); nothing is fitted',
    async run(host) {
      for (const [params, reason] of [
        [{ nEstimators: 20_000 }, /params: nEstimators must not be greater than 10000/],
        [{ contamination: 0.00001 }, /params: contamination must not be less than 0.0001/],
        [{ maxSamples: 1 }, /params: maxSamples must not be less than 2/],
      ] as const) {
        await expect400(await host.http().post('/detect').send({ algorithm: 'pyod', data: SMALL, params }), reason);
      }
    },
  },
  {
    name: 'fit params of every algorithm plugin, one past each cap of its config schema',
    area: 'plugins pyod, sklearn',
    outcome:
      '`validateParameters` names the parameter for every `@Min`/`@Max` of the config class; config-only keys (`pythonPath`, `callTimeoutMs`) are unknown parameters',
    async run() {
      const plugins: [Pick<AlgorithmPlugin, 'getHyperparameterSpace' | 'validateParameters'>, new () => object][] = [
        [new PyodPlugin(), PyodConfig],
        [new SklearnPlugin(), SklearnConfig],
      ];
      for (const [plugin, schema] of plugins) {
        const params = Object.keys(plugin.getHyperparameterSpace?.() ?? {});
        expect(params.length).toBeGreaterThan(0);
        const bounds = getMetadataStorage()
          .getTargetValidationMetadatas(schema, '', true, false)
          .filter((meta) => params.includes(meta.propertyName) && (meta.name === 'max' || meta.name === 'min'));
        expect(bounds.length).toBeGreaterThanOrEqual(4);
        for (const bound of bounds) {
          const limit = bound.constraints[0] as number;
          const value = bound.name === 'max' ? limit + 1 : limit - 1;
          expect([bound.propertyName, plugin.validateParameters!({ [bound.propertyName]: value })]).toEqual([
            bound.propertyName,
            [expect.stringContaining(bound.propertyName)],
          ]);
        }
      }
      expect(new SklearnPlugin().validateParameters({ pythonPath: '/tmp/evil', callTimeoutMs: 1e9 })).toHaveLength(2);
      expect(new PyodPlugin().validateParameters({ callTimeoutMs: 1e9 })).toEqual([
        expect.stringMatching(/unknown parameter "callTimeoutMs"/),
      ]);
    },
  },
  {
    name: 'GET /health while a long detection runs',
    area: 'demo POST /detect',
    outcome:
      '`/health` answers 200 before the detection (pyod, 2 000 rows, 1 500 trees, a few seconds) finishes: pyod fits in its own worker thread, not on the event loop',
    async run(host) {
      const hooks = host.app!.get(PluginHooks);
      let started!: () => void;
      const detectionStarted = new Promise<void>((resolve) => (started = resolve));
      const call = hooks.call.bind(hooks);
      const spy = jest.spyOn(hooks, 'call').mockImplementation(async (name, payload) => {
        const results = await call(name, payload);
        if (name === 'detection.started') started();
        return results;
      });
      try {
        const data = Array.from({ length: 2000 }, (_, i) => [(i % 50) / 10, ((i * 7) % 40) / 10]);
        let detectDone = false;
        const detection = host
          .http()
          .post('/detect')
          .send({ algorithm: 'pyod', data, params: { method: 'iforest', nEstimators: 1500 } })
          .then((response) => {
            detectDone = true;
            return response;
          });
        // The request is validated and the fit starts right after this hook (a detection that answers first has failed).
        const first = await Promise.race([
          detectionStarted.then(() => 'started'),
          detection.then((r) => `answered ${r.status} ${JSON.stringify(r.body)}`),
        ]);
        expect(first).toBe('started');
        const health = await host.http().get('/health');
        expect({ status: health.status, detectionFinishedFirst: detectDone }).toEqual({
          status: 200,
          detectionFinishedFirst: false,
        });
        expect((await detection).status).toBe(200);
      } finally {
        spy.mockRestore();
      }
    },
  },
  {
    name: "a detection that runs past pyod's call timeout",
    area: 'demo POST /detect',
    outcome:
      "504 `PLUGIN_TIMEOUT` after pyod's `callTimeoutMs` (here 300 ms): its thread is stopped, CPU freed; the next detection answers 200",
    async run(host) {
      const plugins = host.app!.get(PluginManager);
      await plugins.updateConfig('pyod', { callTimeoutMs: 300 });
      try {
        const data = Array.from({ length: 2000 }, (_, i) => [(i % 50) / 10, ((i * 7) % 40) / 10]);
        const slow = await host
          .http()
          .post('/detect')
          .send({ algorithm: 'pyod', data, params: { nEstimators: 5000 } });
        expect({ status: slow.status, code: slow.body.code, message: slow.body.message }).toEqual({
          status: 504,
          code: 'PLUGIN_TIMEOUT',
          message: expect.stringMatching(/fitPredict ran longer than 300 ms and was stopped/),
        });
        await host.http().post('/detect').send({ algorithm: 'pyod', data: SMALL }).expect(200);
      } finally {
        await plugins.updateConfig('pyod', { callTimeoutMs: 60_000 });
      }
    },
  },
  {
    name: 'more rows than the detection limit',
    area: 'demo POST /detect',
    outcome: '400 `data has 100001 rows; at most 100000 are accepted`',
    async run(host) {
      const data = Array.from({ length: 100_001 }, (_, i) => [i % 10]);
      await expect400(
        await host.http().post('/detect').send({ algorithm: 'pyod', data }),
        /data has 100001 rows; at most 100000 are accepted/,
      );
    },
  },
  {
    name: 'a body over the size limit',
    area: 'demo POST /detect',
    outcome: '413 `request entity too large` (limit 8 MB); the body is not parsed',
    async run(host) {
      const row = `[${'1.2345678901234567,'.repeat(9)}1]`;
      const body = `{"algorithm":"pyod","data":[${Array.from({ length: 50_000 }, () => row).join(',')}]}`; // about 8.7 MB
      const response = await host.http().post('/detect').set('content-type', 'application/json').send(body);
      expect({ status: response.status, message: response.body.message }).toEqual({
        status: 413,
        message: expect.stringMatching(/too large/i),
      });
    },
  },
  {
    name: 'a CSV source with more rows than the detection limit',
    area: 'demo POST /pipeline',
    outcome: '400 `"big.csv" has more than 100000 rows`; nothing is detected or written',
    async run(host) {
      writeFileSync(join(host.data, 'big.csv'), `a,b\n${'1,2\n'.repeat(100_001)}`);
      await expect400(
        await host
          .http()
          .post('/pipeline')
          .send({ source: 'big.csv', report: { file: 'big-report.json' } }),
        /"big.csv" has more than 100000 rows/,
      );
    },
  },
  {
    name: 'params nested 5 000 levels deep',
    area: 'demo POST /detect',
    outcome:
      '400 `the request body nests arrays and objects deeper than 32 levels (at params.a.a…)`, before validation walks it',
    async run(host) {
      const body = `{"algorithm":"pyod","data":[[1],[2]],"params":${deepObject(5000)}}`;
      await expect400(
        await host.http().post('/detect').set('content-type', 'application/json').send(body),
        /deeper than 32 levels \(at params\.a\.a/,
      );
    },
  },
  {
    name: 'data nested 30 000 levels deep',
    area: 'demo POST /detect',
    outcome: '400 `the request body nests arrays and objects deeper than 32 levels (at data.0.0…)`',
    async run(host) {
      const body = `{"algorithm":"pyod","data":${'['.repeat(30_000)}1${']'.repeat(30_000)}}`;
      await expect400(
        await host.http().post('/detect').set('content-type', 'application/json').send(body),
        /deeper than 32 levels \(at data\.0\.0/,
      );
    },
  },
  {
    name: 'a prototype key in params',
    area: 'demo POST /detect',
    outcome: '400 `the request body has the key "__proto__" (at params.__proto__)`; never dropped silently',
    async run(host) {
      for (const key of ['__proto__', 'constructor']) {
        const body = `{"algorithm":"pyod","data":[[1],[2]],"params":{"${key}":{"nEstimators":100000000}}}`;
        await expect400(
          await host.http().post('/detect').set('content-type', 'application/json').send(body),
          new RegExp(`has the key "${key}" \\(at params\\.${key}\\)`),
        );
      }
    },
  },
  {
    name: 'a NUL byte in source',
    area: 'demo POST /pipeline',
    outcome: '400 `"sensors.csv\\u0000.txt" contains a NUL byte; no file name can`',
    async run(host) {
      await expect400(
        await host.http().post('/pipeline').send({ source: 'sensors.csv\u0000.txt' }),
        /contains a NUL byte/,
      );
    },
  },
  {
    name: 'a NUL byte in report.file',
    area: 'demo POST /pipeline',
    outcome: '400 `contains a NUL byte`; no report is written',
    async run(host) {
      await expect400(
        await host
          .http()
          .post('/pipeline')
          .send({ source: 'sensors.csv', report: { file: 'r\u0000.json' } }),
        /contains a NUL byte/,
      );
    },
  },
  {
    name: 'a folder as source',
    area: 'demo POST /pipeline',
    outcome: '400 `"folder.csv" is a folder, not a file`',
    async run(host) {
      mkdirSync(join(host.data, 'folder.csv'), { recursive: true });
      await expect400(
        await host.http().post('/pipeline').send({ source: 'folder.csv' }),
        /"folder.csv" is a folder, not a file/,
      );
    },
  },
  {
    name: 'a folder as report.file',
    area: 'demo POST /pipeline',
    outcome: '400 `"old" is a folder, not a file`; the folder is left as it was',
    async run(host) {
      mkdirSync(join(host.reports, 'old'), { recursive: true });
      await expect400(
        await host
          .http()
          .post('/pipeline')
          .send({ source: 'sensors.csv', report: { file: 'old' } }),
        /"old" is a folder, not a file/,
      );
    },
  },
  {
    name: 'a file named `..rt.csv` inside the data folder',
    area: 'demo POST /pipeline',
    outcome: '200: it is read like any file in the folder (containment compares path segments, not string prefixes)',
    async run(host) {
      writeFileSync(join(host.data, '..rt.csv'), `x,y\n${SMALL.map((row) => row.join(',')).join('\n')}\n1,1.05\n`);
      const response = await host
        .http()
        .post('/pipeline')
        .send({ source: '..rt.csv', params: { method: 'ecod', contamination: 0.2 }, report: { file: 'rt.json' } });
      expect({ status: response.status, body: response.body }).toMatchObject({
        status: 200,
        body: { source: '..rt.csv', columns: ['x', 'y'], rows: 5 },
      });
      await expect400(await host.http().post('/pipeline').send({ source: '../rt.csv' }), /leads outside the folder/);
    },
  },
  {
    name: 'columns named after Object.prototype members',
    area: 'demo POST /pipeline',
    outcome:
      '400 `"sensors.csv" has no column toString (columns: …)`, for `__proto__`, `constructor`, `toString` and `hasOwnProperty` alike',
    async run(host) {
      for (const column of ['toString', 'hasOwnProperty', '__proto__', 'constructor']) {
        const response = await host
          .http()
          .post('/pipeline')
          .send({ source: 'sensors.csv', columns: [column] });
        await expect400(response, new RegExp(`"sensors.csv" has no column ${column} \\(columns: time, sensor,`));
      }
    },
  },
  {
    name: 'an algorithm or plugin named after an Object.prototype member',
    area: 'demo POST /detect, GET /plugins/:name',
    outcome: '404 `PLUGIN_NOT_FOUND` naming it',
    async run(host) {
      for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
        const detect = await host.http().post('/detect').send({ algorithm: name, data: SMALL });
        expect([name, detect.status, detect.body.code]).toEqual([name, 404, 'PLUGIN_NOT_FOUND']);
        const info = await host.http().get(`/plugins/${name}`);
        expect([name, info.status, info.body.code]).toEqual([name, 404, 'PLUGIN_NOT_FOUND']);
      }
    },
  },
];
