import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import { PluginManager } from 'nestjs-plugin-host';
import { HostModule, ScoringService } from './host.module.js';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('the README example', () => {
  it('is the code of test/examples, verbatim', () => {
    const readme = read('../../README.md');
    expect(readme).toContain(read('./zscore.plugin.ts'));
    expect(readme).toContain(read('./host.module.ts'));
  });

  it('boots, injects the plugin and finds the outlier', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    try {
      const scoring = moduleRef.get(ScoringService);
      const data = [[1], [2], [1.5], [1.2], [1.8], [1.1], [1.9], [1.4], [1.6], [1.3], [40]];
      expect(await scoring.anomalies(data)).toEqual([10]);
      expect(scoring.enabledAlgorithms()).toEqual(['zscore']);
      expect(scoring.algorithmCount()).toBe(1);
      expect(moduleRef.get(PluginManager).info('zscore').state).toBe('enabled');
    } finally {
      await moduleRef.close();
    }
  });
});
