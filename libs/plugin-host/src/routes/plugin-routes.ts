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
import { PluginApps } from './plugin-apps.js';
import { routeList, type PluginRoute } from './route-list.js';
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
  /** Full path of each served plugin's routes. */
  readonly paths = new Map<string, string>();
  /** The module plugins this host runs, and whether it serves HTTP. */
  private readonly modules = new Set<string>();
  private http = false;
  /** The plugins have started: from now on an enabled plugin's application is built as it is enabled. */
  private ready = false;

  private readonly apps: PluginApps;
  private readonly isolated: IsolatedRoutes;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly host: {
      references: PluginReferences;
      exports: PluginExports;
      supervisor: IsolationSupervisor;
      /** Every plugin started (LifecycleRunner). */
      started: () => Promise<void>;
    },
    private readonly lazy: LazyLoader,
    private readonly options: ResolvedPluginOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    this.isolated = new IsolatedRoutes(host.supervisor, options.timeouts.cleanup);
    const appHost = {
      references: host.references,
      exports: host.exports,
      exportsOf: (name: string) => (registry.get(name)?.metadata.exports ?? []) as Type<object>[],
      expose: options.expose,
      moduleRef,
    };
    this.apps = new PluginApps(registry, appHost, options.timeouts.cleanup);
    registry.observe(this);
    const follow = (event: PluginEvent): void => this.follow(event);
    for (const name of ['plugin.enabled', 'plugin.reloaded'] as const) registry.events.on(name, follow);
  }

  /**
   * Nest has registered the host's routes and not yet its 404 handler: the plugins' prefixes go in between, before
   * any plugin starts (synchronously, so a plugin that cannot serve is failed before it initializes, whichever hook
   * Nest calls first). Once the plugins have started, their applications are built one by one in dependency order,
   * before the host's own modules initialize, so the exports a host provider or a dependent plugin injects answer
   * from its first call.
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
    await this.host.started().catch(() => undefined); // a required plugin failed: the runner's own hook throws it
    this.ready = true;
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
        // The hot path: an enabled plugin whose application is up gets the request at once, no promise in between.
        const app = record.state === PluginState.ENABLED ? this.apps.current(record.name) : undefined;
        if (app?.handle) {
          this.apps.track(app, res);
          return app.handle(req, res, next);
        }
        void this.dispatch(record, req, res, next);
      });
    }
  }

  /** The routes the plugin serves (method and full path), while it has a prefix; `undefined` for a plugin without routes. */
  routesOf(name: string): PluginRoute[] | undefined {
    const path = this.paths.get(name);
    const record = this.registry.get(name);
    if (path === undefined || !record) return undefined;
    // An isolated plugin's controllers are in its isolate, which listed their routes when it loaded.
    if (isolated(record))
      return (this.isolated.isolateOf(name)?.ready.routes ?? []).map(({ method, path: route }) => ({
        method,
        path: joinPath(path, route),
      }));
    return routeList(path, record.metadata.controllers ?? []);
  }

  // The plugins stop before the host shuts down (LifecycleRunner), which retires their applications: those closes are
  // awaited here, with the applications of plugins still running.
  onApplicationShutdown(): Promise<void> {
    return this.apps.closeAll();
  }

  /** Once every application being built now is up (or failed): an operation's result then says how its routes fare. */
  settled(): Promise<void> {
    return this.apps.settled();
  }

  classChanged(): void {}

  /**
   * The plugin stops (disabled, failed): its routes answer 503 from now on and its exports `PLUGIN_DISABLED`; what
   * its application is serving is handed back, so its cleanup runs after those requests and calls have finished.
   */
  targetChanged(record: PluginRecord): PendingCalls | undefined {
    if (record.state === PluginState.ENABLED) return undefined;
    if (isolated(record)) return this.isolated.inFlight(record);
    return this.apps.has(record.name) ? this.apps.retire(record) : undefined;
  }

  /** The plugin (re)starts in-process: its application is built from its current code (an isolate builds its own). */
  private follow(event: PluginEvent): void {
    const record = this.registry.get(event.plugin);
    if (this.ready && record && this.modules.has(record.name) && this.builds(record)) void this.rebuild(record);
  }

  private rebuild(record: PluginRecord): Promise<unknown> {
    return this.apps.rebuild(record, this.paths.has(record.name));
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
      const app = record.state === PluginState.ENABLED ? await this.apps.pending(record.name) : undefined;
      if (!app?.handle) return errorBody(res, this.registry.unavailableError(record));
      this.apps.track(app, res);
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
