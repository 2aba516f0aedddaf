import { Logger } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginExports } from '../injection/index.js';
import { PluginState, type PendingCalls, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import { buildPluginApp, type PluginApp, type PluginAppHost } from './plugin-app.js';
import { ServedRequests } from './served-requests.js';

/**
 * The Nest application of each in-process module plugin, through its life: built from the plugin's current code,
 * swapped for the new code's on reload (requests and export calls move to it once it is up), retired when the plugin
 * stops, and closed once what it was serving has finished (at most the cleanup timeout).
 */
export class PluginApps {
  private readonly logger = new Logger('PluginRoutes');
  private readonly apps = new Map<string, Promise<PluginApp | undefined>>();
  /** The application each plugin's requests go to now, once it is up (what `apps` resolves to). */
  private readonly serving = new Map<string, PluginApp>();
  private readonly served = new Map<PluginApp, ServedRequests>();
  private readonly closes = new Set<Promise<void>>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly host: PluginAppHost & { exports: PluginExports },
    private readonly cleanupMs: number,
  ) {}

  /** The plugin's application if it is up now (the hot path: no promise). */
  current(name: string): PluginApp | undefined {
    return this.serving.get(name);
  }

  /** The plugin's application once it is up (`undefined`: none, or it failed to build). */
  pending(name: string): Promise<PluginApp | undefined> | undefined {
    return this.apps.get(name);
  }

  has(name: string): boolean {
    return this.apps.has(name);
  }

  /** Counts a request the application serves, until its response has closed. */
  track(app: PluginApp, res: unknown): void {
    this.servedBy(app).track(res);
  }

  /** Once every application being built now is up (or failed). */
  async settled(): Promise<void> {
    await Promise.all(this.apps.values());
  }

  /** Builds the plugin's application from its current code (`http`: with routes to serve); the previous one retires. */
  rebuild(record: PluginRecord, http: boolean): Promise<unknown> {
    const previous = this.apps.get(record.name);
    const next = buildPluginApp(record, this.host, http).then(
      (app) => {
        // Calls through its exports go to the new providers; the old application waits for those still on its own.
        const drained = this.host.exports.serve(record, (exported) => app.app.get(exported, { strict: false }));
        void previous?.then((old) => old && this.servedBy(old).until(drained));
        if (this.apps.get(record.name) === next) this.serving.set(record.name, app);
        return app;
      },
      (error: unknown) => {
        const failure = new PluginError(
          PluginErrorCode.LOAD_FAILED,
          `plugin "${record.name}": its module could not be built: ${(error as Error)?.message ?? String(error)}`,
          { plugin: record.name, cause: error },
        );
        this.logger.error(failure.message);
        if (record.state === PluginState.ENABLED) this.registry.transition(record, PluginState.FAILED, failure);
        return undefined;
      },
    );
    this.apps.set(record.name, next);
    if (previous) this.closing(next.then(() => this.close(previous)));
    return next;
  }

  /**
   * The plugin stops: no request reaches its application from now on, its exports answer `PLUGIN_DISABLED`. Returns
   * what the application is still serving (requests, export calls), then closes it.
   */
  retire(record: PluginRecord): PendingCalls {
    const pending = this.apps.get(record.name);
    this.apps.delete(record.name);
    this.serving.delete(record.name);
    const drained = (async () => {
      const app = await pending;
      if (!app) return;
      const served = this.servedBy(app);
      served.until(this.host.exports.withdraw(record));
      await served.idle(this.cleanupMs);
    })();
    if (pending) this.closing(drained.then(() => this.close(pending)));
    return { size: 1, idle: () => drained };
  }

  /** Closes every application, and waits for those already closing. */
  async closeAll(): Promise<void> {
    for (const app of this.apps.values()) this.closing(this.close(app));
    this.apps.clear();
    this.serving.clear();
    await Promise.all(this.closes);
  }

  private closing(close: Promise<void>): void {
    this.closes.add(close);
    void close.finally(() => this.closes.delete(close));
  }

  /** Closes an application once its requests and its exports' calls have finished (at most the cleanup timeout). */
  private async close(pending: Promise<PluginApp | undefined>): Promise<void> {
    const app = await pending;
    if (!app) return;
    await this.servedBy(app).idle(this.cleanupMs);
    this.served.delete(app);
    await app.app
      .close()
      .catch((error: unknown) => this.logger.warn(`closing a plugin application failed: ${String(error)}`));
  }

  private servedBy(app: PluginApp): ServedRequests {
    let served = this.served.get(app);
    if (!served) this.served.set(app, (served = new ServedRequests()));
    return served;
  }
}
