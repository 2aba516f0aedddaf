import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import { PluginManager, PluginModule } from 'nestjs-plugin-host';
import { HostModule, ScoringService } from './host.module.js';
import { OperationsService } from './operations.service.js';
import { AppModule as QuickStartModule, WelcomeService } from './quick-start.js';
import { ZScorePlugin } from './zscore.plugin.js';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('the examples of the README and the guide', () => {
  it('are the code of test/examples, verbatim', () => {
    expect(read('../../README.md')).toContain(read('./quick-start.ts'));
    expect(read('../../docs/writing-plugins.md')).toContain(read('./zscore.plugin.ts'));
    expect(read('../../docs/getting-started.md')).toContain(read('./host.module.ts'));
    expect(read('../../docs/runtime-management.md')).toContain(read('./operations.service.ts'));
  });

  it('runs the quick start: the plugin configured by the module, called through @InjectPlugin', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [QuickStartModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    try {
      expect(moduleRef.get(WelcomeService).welcome('ada')).toBe('welcome, ada');
      await moduleRef.get(PluginManager).disable('greeter');
      expect(() => moduleRef.get(WelcomeService).welcome('ada')).toThrow(
        expect.objectContaining({ code: 'PLUGIN_DISABLED' }),
      );
    } finally {
      await moduleRef.close();
    }
  });

  it('installs and wires the library as the apps .ci/compat builds and tests do', () => {
    const readme = read('../../README.md');
    expect(readme).toContain(read('../compat/nest11-starter/src/app.module.ts'));
    const install = /```bash\nnpm install (nestjs-plugin-host [^\n]+)\n```/.exec(readme)?.[1].split(' ') ?? [];
    expect(install).toEqual(['nestjs-plugin-host', 'class-validator', 'class-transformer', '@nestjs/terminus']);
    for (const app of ['nest11-starter', 'nest12-esm-jest', 'nest12-esm-vitest']) {
      const { dependencies } = JSON.parse(read(`../compat/${app}/package.json`)) as {
        dependencies: Record<string, string>;
      };
      expect(Object.keys(dependencies)).toEqual(expect.arrayContaining(install));
    }
  });

  it('manages the plugin at runtime as the Runtime management example does', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PluginModule.forRoot({
          plugins: [ZScorePlugin],
          hostVersion: '0.1.0',
          env: {},
          hooks: ['detection.completed'],
        }),
      ],
      providers: [OperationsService],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    try {
      const ops = moduleRef.get(OperationsService);
      const plugins = moduleRef.get(PluginManager);
      const data = [[1], [2], [1.5], [1.2], [1.8], [1.1], [1.9], [1.4], [1.6], [1.3], [40]];
      expect(await ops.anomalies(data)).toEqual([10]);
      await expect(ops.retune(0.3)).resolves.toMatchObject({ state: 'enabled' });
      expect((await ops.anomalies(data)).length).toBeGreaterThan(1); // the new threshold is in force
      await expect(ops.restart()).resolves.toEqual([]);
      await expect(ops.upgrade()).resolves.toMatchObject({ state: 'enabled' });
      await plugins.disable('zscore');
      expect(await ops.scoreOnce(data)).toHaveLength(11);
      expect(plugins.info('zscore').state).toBe('disabled');
      await expect(ops.retune(-1)).rejects.toMatchObject({ code: 'PLUGIN_CONFIG_INVALID' });
      expect(ops.failures).toEqual([]);
      expect(plugins.audit().map((entry) => `${entry.operation} ${entry.outcome}`)).toEqual([
        'updateConfig ok',
        'disable ok',
        'enable ok',
        'reload ok',
        'disable ok',
        'updateConfig error',
      ]);
    } finally {
      await moduleRef.close();
    }
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
