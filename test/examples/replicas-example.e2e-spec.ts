import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import { PluginManager } from 'nestjs-plugin-host';
import { redisServer, startRedis, type RedisProcess } from '../support/redis-server.mjs';
import { ReplicatedHostModule } from './replicas.module.js';

const withRedis = redisServer.found ? describe : describe.skip;
withRedis(
  redisServer.found
    ? 'the Running many replicas example'
    : `the Running many replicas example: SKIPPED, ${redisServer.missing}`,
  () => {
    let redis: RedisProcess;
    const replicas: TestingModule[] = [];
    const boot = async () => {
      const moduleRef = await Test.createTestingModule({ imports: [ReplicatedHostModule] }).compile();
      moduleRef.useLogger(false);
      await moduleRef.init();
      replicas.push(moduleRef);
      return moduleRef.get(PluginManager);
    };

    beforeAll(async () => {
      redis = await startRedis();
      process.env.REDIS_URL = redis.url;
    });
    afterAll(async () => {
      await Promise.all(replicas.map((moduleRef) => moduleRef.close()));
      delete process.env.REDIS_URL;
      await redis?.dispose();
    });

    it('is the code of test/examples/replicas.module.ts, verbatim', () => {
      const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
      expect(read('../../docs/replicas.md')).toContain(read('./replicas.module.ts'));
    });

    it('disables the plugin on every replica through one, and a replica started later boots into it', async () => {
      const [one, two] = [await boot(), await boot()];
      await one.disable('zscore');
      for (let waited = 0; two.info('zscore').state !== 'disabled'; waited += 10) {
        if (waited > 1000) throw new Error('the disable did not reach the other replica within 1 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const late = await boot();
      expect(late.info('zscore').state).toBe('disabled');
      expect([one, two, late].map((plugins) => plugins.stateVersion())).toEqual([1, 1, 1]);
      expect(late.audit()).toEqual([
        expect.objectContaining({ operation: 'disable', plugin: 'zscore', outcome: 'ok' }),
      ]);
    });
  },
);
