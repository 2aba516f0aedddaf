import { Logger, type OnApplicationShutdown, type OnModuleInit, type Type } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, type ModuleRef } from '@nestjs/core';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginExports, PluginReferences } from '../injection/index.js';
import type { LazyLoader } from '../lifecycle/index.js';
import type { ResolvedPluginOptions } from '../lifecycle/resolved-options.js';
import { hasRoutes, isModulePlugin } from '../manifest/module-fields.js';
import {
  PluginState,
  type PendingCalls,
  type PluginEvent,
  type PluginRecord,
  type PluginRegistry,
  type RecordObserver,
} from '../registry/index.js';
import type { IsolationSupervisor } from '../isolation/index.js';
import { IsolatedRoutes } from './isolated-routes.js';
import { buildPluginApp, type PluginApp, type PluginAppHost } from './plugin-app.js';
import { routeList, type PluginRoute } from './route-list.js';
import { ServedRequests } from './served-requests.js';
import { errorBody, hostRoutes, joinPath, routeConflict, type ExpressLike } from './route-paths.js';

/** Runs in a worker or a process: its routes are served by its isolate. */
const isolated = (record: PluginRecord): boolean => record.isolation === 'worker' || record.isolation === 'process';
const servesRoutes = (record: PluginRecord): boolean => hasRoutes(record.metadata);

/**
 * Serves module plugins' routes (`@Plugin({ controllers, providers, imports, routePrefix })`), each under
 * `/<global prefix>/<routePrefix>` by its own Nest application that the host hands the requests to. The routes follow
 * the plugin: served while it is enabled (a lazy one is loaded by the first request), 503 with its error otherwise;
 * a reload builds the new code's application, moves requests to it and retires the old one once its requests finish.
 */
export class PluginRoutes implements OnModuleInit, OnApplicationShutdown, RecordObserver {
  private readonly logger = new Logger('PluginRoutes');
  private readonly apps = new Map<string, Promise<PluginApp | undefined>>();
  private readonly served = new Map<PluginApp, ServedRequests>();
  private readonly closes = new Set<Promise<void>>();
  /** Full path of each served plugin's routes. */
  readonly paths = new Map<string, string>();
  /** The module plugins this host runs, and whether it serves HTTP. */
  private readonly modules = new Set<string>();
  private http = false;

  private readonly appHost: PluginAppHost;

  private readonly isolated: IsolatedRoutes;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly host: { references: PluginReferences; exports: PluginExports; supervisor: IsolationSupervisor },
    private readonly lazy: LazyLoader,
    private readonly options: ResolvedPluginOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    this.isolated = new IsolatedRoutes(host.supervisor, options.timeouts.cleanup);
    this.appHost = {
      references: host.references,
      exports: host.exports,
      exportsOf: (name) => (registry.get(name)?.metadata.exports ?? []) as Type<object>[],
      expose: options.expose,
      moduleRef,
    };
    registry.observe(this);
    const follow = (event: PluginEvent): void => this.follow(event);
    for (const name of ['plugin.enabled', 'plugin.reloaded'] as const) registry.events.on(name, follow);
  }

  /**
   * Nest has registered the host's routes and not yet its 404 handler: the plugins' prefixes go in between. Their
   * applications are built one by one in dependency order, before the host's own modules initialize, so the exports
   * a host provider or a dependent plugin injects answer from its first call.
   */
  async onModuleInit(): Promise<void> {
    const plugins = this.registry.all().filter((record) => isModulePlugin(record.metadata));
    if (plugins.length === 0) return;
    for (const record of plugins) this.modules.add(record.name);
    const routed = plugins.filter(servesRoutes);
    const adapter = this.moduleRef.get(HttpAdapterHost, { strict: false })?.httpAdapter;
    this.http = Boolean(adapter);
    if (!adapter && routed.length)
      this.logger.warn(
        `no HTTP server in this application: the routes of ${routed.map((r) => `"${r.name}"`).join(', ')} are not served (their providers still run).`,
      );
    if (adapter && adapter.getType() !== 'express')
      this.refuse(
        routed,
        `its routes are served by an Express application of its own, which a ${adapter.getType()} app cannot hand requests to. Use @nestjs/platform-express, or run the plugin without controllers`,
      );
    else if (adapter) this.mount(adapter.getInstance() as ExpressLike, routed);
    for (const record of plugins)
      if (record.state === PluginState.ENABLED && this.builds(record)) await this.rebuild(record);
  }

  /** Whether the plugin's application is built here: in-process, and served (or no HTTP to serve it on, or no routes). */
  private builds(record: PluginRecord): boolean {
    return !isolated(record) && (!this.http || !servesRoutes(record) || this.paths.has(record.name));
  }

  /** Each plugin's prefix, unless it overlaps another plugin's or the host's routes (`PLUGIN_ROUTE_CONFLICT`). */
  private mount(express: ExpressLike, plugins: PluginRecord[]): void {
    const globalPrefix = this.moduleRef.get(ApplicationConfig, { strict: false })?.getGlobalPrefix() ?? '';
    const taken = hostRoutes(express);
    for (const record of plugins) {
      const path = joinPath(globalPrefix, record.metadata.routePrefix ?? `plugins/${record.name}`);
      const conflict = routeConflict(record.name, path, this.paths, taken);
      if (conflict) {
        this.registry.transition(record, PluginState.FAILED, conflict);
        continue;
      }
      this.paths.set(record.name, path);
      express.use(path, (req: unknown, res: unknown, next: (error?: unknown) => void) => {
        void this.dispatch(record, req, res, next);
      });
    }
  }

  /** The routes the plugin serves (method and full path), while it has a prefix; `undefined` for a plugin without routes. */
  routesOf(name: string): PluginRoute[] | undefined {
    const path = this.paths.get(name);
    const controllers = this.registry.get(name)?.metadata.controllers;
    return path === undefined ? undefined : routeList(path, controllers ?? []);
  }

  // The plugins stop before the host shuts down (LifecycleRunner), which retires their applications: those closes are
  // awaited here, with the applications of plugins still running.
  async onApplicationShutdown(): Promise<void> {
    for (const app of this.apps.values()) this.closing(this.close(app));
    this.apps.clear();
    await Promise.all(this.closes);
  }

  private closing(close: Promise<void>): void {
    this.closes.add(close);
    void close.finally(() => this.closes.delete(close));
  }

  /** Once every application being built now is up (or failed): an operation's result then says how its routes fare. */
  async settled(): Promise<void> {
    await Promise.all(this.apps.values());
  }

  classChanged(): void {}

  /**
   * The plugin stops (disabled, failed): its routes answer 503 from now on and its exports `PLUGIN_DISABLED`; what
   * its application is serving is handed back, so its cleanup runs after those requests and calls have finished.
   */
  targetChanged(record: PluginRecord): PendingCalls | undefined {
    if (record.state === PluginState.ENABLED) return undefined;
    if (isolated(record)) return this.isolated.inFlight(record);
    return this.apps.has(record.name) ? this.retire(record) : undefined;
  }

  /** The plugin (re)starts in-process: its application is built from its current code (an isolate builds its own). */
  private follow(event: PluginEvent): void {
    const record = this.registry.get(event.plugin);
    if (record && this.modules.has(record.name) && this.builds(record)) void this.rebuild(record);
  }

  /** Builds the plugin's application from its current code; requests move to it once it is up, and the old one retires. */
  private rebuild(record: PluginRecord): Promise<unknown> {
    const previous = this.apps.get(record.name);
    const next = buildPluginApp(record, this.appHost, this.paths.has(record.name)).then(
      (app) => {
        // Calls through its exports go to the new providers; the old application waits for those still on its own.
        const drained = this.host.exports.serve(record, (exported) => app.app.get(exported, { strict: false }));
        void previous?.then((old) => old && this.servedBy(old).until(drained));
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

  private retire(record: PluginRecord): PendingCalls {
    const pending = this.apps.get(record.name);
    this.apps.delete(record.name);
    const drained = (async () => {
      const app = await pending;
      if (!app) return;
      const served = this.servedBy(app);
      served.until(this.host.exports.withdraw(record));
      await served.idle(this.options.timeouts.cleanup);
    })();
    if (pending) this.closing(drained.then(() => this.close(pending)));
    return { size: 1, idle: () => drained };
  }

  /** Closes an application once its requests and its exports' calls have finished (at most the cleanup timeout). */
  private async close(pending: Promise<PluginApp | undefined>): Promise<void> {
    const app = await pending;
    if (!app) return;
    await this.servedBy(app).idle(this.options.timeouts.cleanup);
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

  private async dispatch(
    record: PluginRecord,
    req: unknown,
    res: unknown,
    next: (error?: unknown) => void,
  ): Promise<void> {
    try {
      if (record.lazy && record.state === PluginState.DISCOVERED) await this.lazy.load(record.name);
      if (isolated(record))
        return record.state === PluginState.ENABLED
          ? await this.isolated.serve(record, req, res, () => this.registry.unavailableError(record))
          : errorBody(res, this.registry.unavailableError(record));
      const app = record.state === PluginState.ENABLED ? await this.apps.get(record.name) : undefined;
      if (!app?.handle) return errorBody(res, this.registry.unavailableError(record));
      this.servedBy(app).track(res);
      app.handle(req, res, next);
    } catch (error) {
      errorBody(res, error instanceof PluginError ? error : this.registry.unavailableError(record));
    }
  }

  private refuse(records: PluginRecord[], why: string): void {
    for (const record of records)
      this.registry.transition(
        record,
        PluginState.FAILED,
        new PluginError(PluginErrorCode.LOAD_FAILED, `plugin "${record.name}" is not served: ${why}.`, {
          plugin: record.name,
        }),
      );
  }
}
