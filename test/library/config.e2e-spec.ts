import { afterEach, describe, expect, it } from '@jest/globals';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { PluginManager } from 'nestjs-plugin-host';
import { bootHost, CallLog, makePlugin, type Host } from './fixtures.js';

class DetectorConfig {
  @IsNumber()
  @Min(0)
  @Max(0.5)
  contamination = 0.1;

  @IsInt()
  @Min(1)
  nEstimators = 100;
}

describe('config reaching the plugin', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('initializes the plugin with defaults < module options < env, as an instance of the schema', async () => {
    let received: unknown;
    const plugin = makePlugin({ name: 'detector', configSchema: DetectorConfig }, new CallLog(), {
      initialize: (config) => (received = config),
    });
    host = await bootHost({
      plugins: [plugin],
      config: { detector: { contamination: 0.05 } },
      env: { PLUGIN_DETECTOR_N_ESTIMATORS: '250' },
    });
    expect(received).toBeInstanceOf(DetectorConfig);
    expect(received).toEqual(Object.assign(new DetectorConfig(), { contamination: 0.05, nEstimators: 250 }));
  });

  it('fails only that plugin on invalid config, with PLUGIN_CONFIG_INVALID listing each property and its source', async () => {
    const log = new CallLog();
    host = await bootHost({
      plugins: [
        makePlugin({ name: 'detector', configSchema: DetectorConfig }, log),
        makePlugin({ name: 'other' }, log),
      ],
      config: { detector: { contamination: 0.9, typo: true } },
      env: { PLUGIN_DETECTOR_N_ESTIMATORS: '0' },
    });
    const manager = host.moduleRef.get(PluginManager);
    const { error, state } = manager.info('detector');
    expect(state).toBe('failed');
    expect(error?.code).toBe('PLUGIN_CONFIG_INVALID');
    expect(error?.message).toContain(
      'contamination = 0.9 from module options config["detector"]: contamination must not be greater than 0.5 [max]',
    );
    expect(error?.message).toContain(
      'nEstimators = 0 from env PLUGIN_DETECTOR_N_ESTIMATORS: nEstimators must not be less than 1 [min]',
    );
    expect(error?.message).toContain('typo = true from module options config["detector"]: unknown key');
    expect(log.of('init:')).toEqual(['init:other']);
    expect(manager.info('other').state).toBe('enabled');
  });
});
