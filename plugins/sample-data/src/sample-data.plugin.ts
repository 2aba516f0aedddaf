import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Plugin, resolveInside, type PluginContext, type PluginHealth } from 'nestjs-plugin-host';
import { DATASETS, type Dataset, type DatasetInfo } from './datasets.js';
import { DatasetsController } from './datasets.controller.js';
import { SampleDataConfig } from './sample-data-config.js';

/**
 * Sample datasets with planted anomalies, to try detectors on, served over HTTP:
 * `GET /plugins/sample-data/datasets`, `GET …/datasets/:name`, and `POST …/datasets/:name/save`. Its manifest asks
 * for the `process` tier, so its routes run in a child process under Node's permission model: it reads its own
 * package and writes nothing the host did not grant (saving answers 403 `PLUGIN_ACCESS_DENIED` until the host adds
 * the folder to the plugin's `allowWrite`).
 */
@Plugin({
  name: 'sample-data',
  type: 'dataset',
  version: '1.0.0',
  description: 'Sample datasets with planted anomalies, served from a sandboxed process',
  compatibility: '^0.1.0',
  configSchema: SampleDataConfig,
  controllers: [DatasetsController],
})
export class SampleDataPlugin {
  private config = new SampleDataConfig();
  private readonly made = new Map<string, Dataset>();

  initialize(config: SampleDataConfig, _ctx: PluginContext<SampleDataConfig>): void {
    this.config = config;
  }

  healthCheck(): PluginHealth {
    return { status: 'up', details: { datasets: Object.keys(DATASETS), pid: process.pid } };
  }

  datasets(): DatasetInfo[] {
    return Object.keys(DATASETS).map((name) => {
      const { rows, anomalies, ...info } = this.dataset(name);
      return { ...info, rows: rows.length, anomalies: anomalies.length };
    });
  }

  /** One dataset by name; a `RangeError` naming the known ones for any other name. */
  dataset(name: string): Dataset {
    const make = Object.hasOwn(DATASETS, name) ? DATASETS[name] : undefined;
    if (!make) throw new RangeError(`no dataset "${name}" (known: ${Object.keys(DATASETS).join(', ')})`);
    let dataset = this.made.get(name);
    if (!dataset) this.made.set(name, (dataset = make()));
    return dataset;
  }

  /** Writes a dataset as JSON into the configured folder; returns the file's path. */
  async save(name: string): Promise<string> {
    const dataset = this.dataset(name);
    const path = resolveInside(this.config.folder, `${name}.json`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(dataset)}\n`);
    return path;
  }
}
