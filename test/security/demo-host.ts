import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { activeResources, expectNothingLeft } from '../faults/fault-host.js';

const REPO_DATA = new URL('../../data/', import.meta.url);

/**
 * The demo app as `npm start` serves it (its AppModule and configureApp), listening on a loopback port,
 * with its data folder (a copy of ./data) and reports folder in a temp dir. `close()` shuts it down and
 * checks that nothing it started is left: no isolate, no worker or child process handle, no temp folder.
 */
export class DemoHost {
  readonly root = mkdtempSync(join(tmpdir(), 'demo-attack-'));
  readonly data = join(this.root, 'data');
  readonly reports = join(this.root, 'reports');
  app?: INestApplication;
  private url = '';
  private readonly savedEnv = { ...process.env };
  private readonly before = activeResources();

  /** Boots the demo; `env` is applied before its module is imported (ADMIN_TOKEN is read then). */
  async boot(env: Record<string, string> = {}): Promise<this> {
    mkdirSync(this.data);
    mkdirSync(this.reports);
    copyFileSync(new URL('sensors.csv', REPO_DATA), join(this.data, 'sensors.csv'));
    // sklearn starts a Python process; these attacks do not need it.
    Object.assign(
      process.env,
      { DISABLED_PLUGINS: 'sklearn', PLUGIN_CSV_FOLDER: this.data, PLUGIN_JSON_REPORT_FOLDER: this.reports },
      env,
    );
    const { AppModule } = await import('../../src/app.module.js');
    const { configureApp } = await import('../../src/app.setup.js');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    this.app = configureApp(moduleRef.createNestApplication({ logger: false }));
    this.url = await listenOnLoopback(this.app);
    return this;
  }

  http() {
    return request(this.url);
  }

  async close(): Promise<void> {
    try {
      await this.app?.close();
      await expectNothingLeft(this.before);
    } finally {
      process.env = this.savedEnv;
      rmSync(this.root, { recursive: true, force: true });
    }
  }
}

/**
 * The library alone: PluginModule with the pyod plugin class and PluginAdminModule at /admin/plugins, no
 * global pipe or filter (unlike the demo), so what the admin routes do themselves is what answers.
 */
export class LibraryAdminHost {
  app?: INestApplication;
  private url = '';

  async boot(token: string): Promise<this> {
    const { PluginModule } = await import('nestjs-plugin-host');
    const { PluginAdminModule } = await import('nestjs-plugin-host/admin');
    const { PyodPlugin } = await import('../../plugins/pyod/src/index.js');
    const moduleRef = await Test.createTestingModule({
      imports: [
        PluginModule.forRoot({ plugins: [PyodPlugin], hostVersion: '0.1.0', env: {} }),
        PluginAdminModule.forRoot({ token, path: 'admin/plugins' }),
      ],
    }).compile();
    this.app = moduleRef.createNestApplication({ logger: false });
    this.url = await listenOnLoopback(this.app);
    return this;
  }

  http() {
    return request(this.url);
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}

/** Listens on a free loopback port; the base URL to send requests to. */
async function listenOnLoopback(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}
