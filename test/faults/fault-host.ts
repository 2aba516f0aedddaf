import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import {
  InjectPlugin,
  PluginHealthIndicator,
  PluginManager,
  PluginModule,
  getPluginToken,
  type PluginModuleSyncOptions,
} from 'nestjs-plugin-host';
import request from 'supertest';
import { liveIsolates } from '../../libs/plugin-host/src/isolation/index.js';
import { CapturingLogger } from '../library/fixtures.js';
import { PackageTree, REPO } from '../library/package-tree.js';

/** A healthy package plugin every fault case runs beside: it must stay unaffected. */
export function addBystander(tree: PackageTree): void {
  tree.package(
    'plugins/bystander',
    {
      name: 'bystander-plugin',
      nestPlugin: { name: 'bystander', type: 'custom', entry: './index.js', compatibility: '^0.1.0' },
    },
    {
      'index.js': `import { Plugin } from 'nestjs-plugin-host';
export class Bystander {
  async ping() { return 'bystander ok'; }
}
Plugin({ name: 'bystander', type: 'custom', version: '1.0.0' })(Bystander);
`,
    },
  );
}

/** A plugin package in `tree` whose class body is `members` (and module top level `prelude`). */
export function addPlugin(
  tree: PackageTree,
  name: string,
  members: string,
  manifest: Record<string, unknown> = {},
  prelude = '',
): void {
  tree.package(
    `plugins/${name}`,
    {
      name: `${name}-plugin`,
      nestPlugin: { name, type: 'custom', entry: './index.js', compatibility: '^0.1.0', ...manifest },
    },
    {
      'index.js': `import { Plugin } from 'nestjs-plugin-host';
${prelude}
export class Faulty {
${members}
}
Plugin({ name: ${JSON.stringify(name)}, type: 'custom', version: '1.0.0' })(Faulty);
`,
    },
  );
}

@Controller()
class ServingController {
  constructor(
    @InjectPlugin('bystander') private readonly bystander: { ping(): Promise<string> },
    private readonly health: HealthCheckService,
    private readonly pluginHealth: PluginHealthIndicator,
  ) {}

  @Get('ping')
  async ping(): Promise<{ bystander: string }> {
    return { bystander: await this.bystander.ping() };
  }

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.pluginHealth.check()]);
  }
}

/** Resource kinds Node reports as keeping the process alive, counted. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** After an app closed: no isolate is left, nor any handle beyond those counted in `before` (terminated workers and processes reaped first). */
export async function expectNothingLeft(before: Map<string, number>): Promise<void> {
  if (liveIsolates.size > 0) throw new Error(`${liveIsolates.size} isolate(s) left after shutdown`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const [kind, count] of activeResources()) {
    if (kind !== 'Timeout' && kind !== 'TTYWrap' && count > (before.get(kind) ?? 0)) {
      throw new Error(`${count - (before.get(kind) ?? 0)} ${kind} handle(s) left after shutdown`);
    }
  }
}

/** A real HTTP host over a throw-away plugin tree, with the checks every fault case makes. */
export class FaultHost {
  readonly tree = new PackageTree(REPO);
  readonly logger = new CapturingLogger();
  private app?: INestApplication;
  private before = activeResources();

  constructor() {
    addBystander(this.tree);
  }

  /** What `@InjectPlugin(name)` gives. */
  reference<T>(name: string): T {
    return this.app!.get(getPluginToken(name));
  }

  async boot(options: PluginModuleSyncOptions = {}): Promise<PluginManager> {
    this.before = activeResources();
    @Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [ServingController] })
    class ServingModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        PluginModule.forRoot({ discovery: { root: this.tree.root }, hostVersion: '0.1.0', env: {}, ...options }),
        ServingModule,
      ],
    })
      .setLogger(this.logger)
      .compile();
    this.app = moduleRef.createNestApplication({ logger: this.logger });
    await this.app.init();
    return this.app.get(PluginManager);
  }

  get plugins(): PluginManager {
    return this.app!.get(PluginManager);
  }

  http() {
    return request(this.app!.getHttpServer());
  }

  /** The host answers and the bystander plugin works. */
  async expectServing(): Promise<void> {
    const response = await this.http().get('/ping');
    if (response.status !== 200 || response.body.bystander !== 'bystander ok')
      throw new Error(`host not serving: ${response.status} ${JSON.stringify(response.body)}`);
    if (this.plugins.info('bystander').state !== 'enabled') throw new Error('bystander is not enabled');
  }

  /** Shuts the host down and checks nothing it started is left: no isolate, no extra handle. */
  async close(): Promise<void> {
    try {
      await this.app?.close();
      await expectNothingLeft(this.before);
    } finally {
      this.tree.remove();
    }
  }
}

/** Waits until `check` passes (for crashes and restarts, which happen asynchronously). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
