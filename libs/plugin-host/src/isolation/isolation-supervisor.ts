import { Logger, type InjectionToken } from '@nestjs/common';
import { wildcardToRegExp } from '../discovery/name-filter.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginPackage, PluginRegistry, PluginRecord } from '../registry/index.js';
import { PluginState } from '../registry/plugin-state.js';
import type { FailureCode, HostCall, IsolatedPlugin } from './isolated-plugin.js';
import { linksLeadingOut, nodeModulesAbove } from './module-dirs.js';
import { exposedToken } from '../injection/host-access.js';
import {
  ISOLATION_DEFAULTS,
  defaultMemoryMb,
  type CrashBudget,
  type IsolationRule,
  type IsolationSettings,
  type IsolationTier,
} from './isolation-settings.js';
import { pluginLogger } from '../registry/plugin-logger.js';

/** What the supervisor needs from the host. */
interface SupervisorHost {
  isolation: Record<string, IsolationTier | IsolationRule>;
  crashBudget: CrashBudget;
  expose: InjectionToken[];
  /** Resolves an exposed host provider. */
  resolve(token: InjectionToken): unknown;
  /** The one gate before plugin code runs (trust, manifest, entry, compatibility, requirements, integrity); throws when it refuses. */
  admit(record: PluginRecord): { pkg?: PluginPackage; entry?: string };
  /** The plugin's `initialize` timeout, as the lifecycle reads it: an isolate's load counts against it. */
  loadTimeoutMs(record: PluginRecord): number;
}

// The isolates' own code (worker_threads, child_process, v8, the message frames, the memory guard) loads when the
// first plugin starts in a worker or a process: most hosts run every plugin in-process and never need it.
let isolates: Promise<typeof import('./isolated-plugin.js')> | undefined;
const loadIsolates = (): Promise<typeof import('./isolated-plugin.js')> =>
  (isolates ??= import('./isolated-plugin.js'));

/** How the lifecycle runner starts a restarted isolate (initialize; `enabled` or `failed`). */
type Starter = (record: PluginRecord) => Promise<void>;

/**
 * Runs the isolated plugins: starts their isolates, keeps one live isolate per
 * plugin, and when one crashes marks the plugin `failed` (`PLUGIN_CRASHED`),
 * restarts it with backoff, and after the crash budget leaves it `failed`
 * (`PLUGIN_QUARANTINED`) until an operator enables it.
 */
export class IsolationSupervisor {
  private readonly logger = new Logger('PluginIsolation');
  private readonly live = new Map<string, IsolatedPlugin>();
  private readonly crashes = new Map<string, number[]>();
  private readonly restarts = new Map<string, NodeJS.Timeout>();
  /** Restarts whose isolate is still starting: shutdown ends them too. */
  private readonly starting = new Set<AbortController>();
  private starter?: Starter;
  private stopped = false;
  private registry!: PluginRegistry;

  constructor(private readonly host: SupervisorHost) {}

  /** The registry whose records it updates (set as the registry is built). */
  bind(registry: PluginRegistry): void {
    this.registry = registry;
  }

  setStarter(starter: Starter): void {
    this.starter = starter;
  }

  /** The tier a plugin runs in: the host's rule (exact name, else the first matching wildcard), else its manifest's, else in-process. */
  tierOf(record: PluginRecord, forceProcess = false): IsolationTier {
    if (forceProcess) return 'process';
    const rule = this.ruleOf(record.name);
    return (typeof rule === 'string' ? rule : rule?.tier) ?? record.metadata.isolation ?? 'in-process';
  }

  /**
   * Starts a new isolate for the plugin and gives the record its class, metadata
   * and instance, as an import would. The isolate is not live until `activate`.
   */
  async spawn(
    record: PluginRecord,
    admission?: { pkg?: PluginPackage; entry?: string },
    signal?: AbortSignal,
  ): Promise<IsolatedPlugin> {
    const { IsolatedPlugin } = await loadIsolates();
    // Every start, restarts included, passes the gate just before the isolate imports the code (`admission`: the caller just did).
    const { pkg, entry } = admission ?? this.host.admit(record);
    if (!pkg || !entry)
      throw new PluginError(
        PluginErrorCode.LOAD_FAILED,
        `plugin "${record.name}" cannot be isolated: only plugin packages can (their entry file is loaded in the isolate).`,
        { plugin: record.name },
      );
    const settings = this.settingsOf(record);
    if (settings.tier === 'process') {
      const links = linksLeadingOut(pkg.dir);
      if (links.length > 0)
        throw new PluginError(
          PluginErrorCode.UNTRUSTED,
          `plugin "${record.name}" ships symbolic links leading out of its package (${links.slice(0, 5).join(', ')}${links.length > 5 ? ', …' : ''}). ` +
            `In the process tier Node's permission model would follow them past its folder, so it is not started. Remove them from the package (or run it in another tier if you trust it).`,
          { plugin: record.name, details: { links } },
        );
    }
    return IsolatedPlugin.start(
      { name: record.name, entryPath: entry, exportName: pkg.exportName, packageDir: pkg.dir },
      settings,
      this.hostCall(record),
      signal,
    );
  }

  /** Puts a started isolate in service: its remote class and instance in the registry, and it the live isolate (the one before, if any, is stopped). */
  attach(record: PluginRecord, isolate: IsolatedPlugin, metadata = record.metadata): void {
    this.registry.attachClass(record, isolate.remoteClass, metadata);
    this.registry.attachInstance(record, isolate.instance);
    this.activate(record, isolate)?.stop();
  }

  /** Makes `isolate` the plugin's live one (its crashes are handled from now on). Returns the one before, for the caller to retire. */
  activate(record: PluginRecord, isolate: IsolatedPlugin): IsolatedPlugin | undefined {
    const previous = this.live.get(record.name);
    this.live.set(record.name, isolate);
    isolate.onCrash((reason, code) => this.crashed(record, isolate, reason, code));
    return previous === isolate ? undefined : previous;
  }

  isolateOf(name: string): IsolatedPlugin | undefined {
    const isolate = this.live.get(name);
    return isolate?.alive ? isolate : undefined;
  }

  /** Ends the plugin's isolate (after its cleanup), cancelling a pending restart. */
  stop(name: string): void {
    clearTimeout(this.restarts.get(name));
    this.restarts.delete(name);
    this.live.get(name)?.stop();
    this.live.delete(name);
  }

  /** An operator enabled it: the crash count starts over. */
  forgive(name: string): void {
    this.crashes.delete(name);
    clearTimeout(this.restarts.get(name));
    this.restarts.delete(name);
  }

  /** At shutdown: no more restarts, every isolate ended; resolves once their workers and processes have exited (the app's close waits). */
  stopAll(): Promise<void> {
    this.stopped = true;
    for (const name of [...this.live.keys()]) this.stop(name);
    for (const starting of this.starting) starting.abort();
    return isolates ? isolates.then(({ isolatesExited }) => isolatesExited()) : Promise.resolve();
  }

  /**
   * Its isolate ended. A crash or a resource cap (`code`) restarts it with backoff, within the crash budget; a
   * protocol violation does not: a plugin that forges messages stays `failed` until an operator enables it.
   */
  private crashed(record: PluginRecord, isolate: IsolatedPlugin, reason: string, code: FailureCode): void {
    if (this.live.get(record.name) !== isolate || this.stopped) return;
    this.live.delete(record.name);
    if (code === PluginErrorCode.PROTOCOL_ERROR) {
      const error = new PluginError(
        code,
        `plugin "${record.name}" broke the host–isolate protocol: ${reason}. It was stopped and is not restarted: fix it, then enable it (PluginManager.enable or POST /plugins/${record.name}/enable).`,
        { plugin: record.name, details: { reason } },
      );
      this.registry.transition(record, PluginState.FAILED, error);
      this.logger.error(error.message);
      return;
    }
    const now = Date.now();
    const { crashes: budget, windowMs } = this.host.crashBudget;
    const recent = [...(this.crashes.get(record.name) ?? []), now].filter((at) => now - at < windowMs);
    this.crashes.set(record.name, recent);
    const registry = this.registry;
    if (recent.length >= budget) {
      const error = new PluginError(
        PluginErrorCode.QUARANTINED,
        `plugin "${record.name}" crashed ${recent.length} times within ${Math.round(windowMs / 1000)} s (last: ${reason}) and is quarantined. Fix it, then enable it (PluginManager.enable or POST /plugins/${record.name}/enable).`,
        { plugin: record.name, details: { reason, crashes: recent.length } },
      );
      registry.transition(record, PluginState.FAILED, error);
      this.logger.error(error.message);
      return;
    }
    const delay = Math.min(100 * 2 ** (recent.length - 1), 10_000);
    registry.transition(
      record,
      PluginState.FAILED,
      new PluginError(
        code,
        `plugin "${record.name}" ${code === PluginErrorCode.RESOURCE_LIMIT ? 'went over a resource limit' : 'crashed'}: ${reason}. Restarting in ${delay} ms (crash ${recent.length} of ${budget} allowed within ${Math.round(windowMs / 1000)} s).`,
        {
          plugin: record.name,
          details: { reason, crashes: recent.length },
        },
      ),
    );
    this.logger.warn(`${record.name}: crashed (${reason}); restarting in ${delay} ms`);
    const timer = setTimeout(() => {
      this.restarts.delete(record.name);
      void this.restart(record);
    }, delay);
    timer.unref();
    this.restarts.set(record.name, timer);
  }

  private async restart(record: PluginRecord): Promise<void> {
    // Only a plugin still failed by its crash restarts (an operator may have disabled it meanwhile).
    const code = record.error?.code;
    if (
      this.stopped ||
      record.state !== PluginState.FAILED ||
      (code !== PluginErrorCode.CRASHED && code !== PluginErrorCode.RESOURCE_LIMIT) ||
      !this.starter
    )
      return;
    const registry = this.registry;
    try {
      const starting = new AbortController();
      this.starting.add(starting);
      const isolate = await this.spawn(record, undefined, starting.signal).finally(() =>
        this.starting.delete(starting),
      );
      if (this.stopped) return isolate.stop();
      this.attach(record, isolate);
      registry.transition(record, PluginState.LOADED);
      await this.starter(record);
    } catch (error) {
      if (!this.stopped) registry.transition(record, PluginState.FAILED, error as PluginError); // at shutdown it stays failed for its crash
    }
  }

  /** The host's rule for a plugin: its exact name, else the first matching wildcard; names match ignoring case, as trust rules do. */
  private ruleOf(name: string): IsolationTier | IsolationRule | undefined {
    const keys = Object.keys(this.host.isolation);
    const exact = keys.find((key) => !key.includes('*') && key.toLowerCase() === name.toLowerCase());
    const key = exact ?? keys.find((pattern) => pattern.includes('*') && wildcardToRegExp(pattern, true).test(name));
    return key === undefined ? undefined : this.host.isolation[key];
  }

  private settingsOf(record: PluginRecord): IsolationSettings {
    const rule = this.ruleOf(record.name);
    const options: Partial<IsolationRule> = typeof rule === 'object' ? rule : {};
    const tier = record.isolation ?? this.tierOf(record);
    const heapMb = options.heapMb ?? ISOLATION_DEFAULTS.heapMb;
    return {
      tier: tier === 'in-process' ? 'worker' : tier,
      heapMb,
      memoryMb: options.memoryMb ?? defaultMemoryMb(heapMb),
      maxMessageBytes: options.maxMessageBytes ?? ISOLATION_DEFAULTS.maxMessageBytes,
      callTimeoutMs: options.callTimeoutMs ?? ISOLATION_DEFAULTS.callTimeoutMs,
      allowRead: options.allowRead ?? [],
      allowWrite: options.allowWrite ?? [],
      uid: options.uid,
      gid: options.gid,
      loadTimeoutMs: this.host.loadTimeoutMs(record),
      moduleDirs: nodeModulesAbove(record.package!.dir),
      logger: pluginLogger(record.name),
    };
  }

  /** Host calls from the isolate (`ctx.get(token).method(...)`): only tokens the plugin declared and the host exposes. */
  private hostCall(record: PluginRecord): HostCall {
    return async (token, method, args) => {
      const exposed = exposedToken(record.name, record.metadata, this.host.expose, token);
      const service = this.host.resolve(exposed);
      const callable = serviceMethod(service, method);
      if (!callable)
        throw new PluginError(
          PluginErrorCode.ACCESS_DENIED,
          `plugin "${record.name}" called "${method}" on host service "${token}", which has no such method a plugin may call (only the methods of its class, not Object's: constructor, toString, __proto__, …).`,
          { plugin: record.name },
        );
      return callable.apply(service, args);
    };
  }
}

/**
 * A method a plugin may call on a host service: a function-valued data property of the service itself or of a
 * prototype of its class, never one of Object.prototype's members (`constructor`, `toString`, `__proto__`, …)
 * and never a getter (which would run on lookup).
 */
function serviceMethod(service: unknown, method: string): ((...args: unknown[]) => unknown) | undefined {
  if (
    method === 'constructor' ||
    method === '__proto__' ||
    (typeof service !== 'object' && typeof service !== 'function') ||
    service === null
  )
    return undefined;
  for (
    let holder: object | null = service;
    holder !== null && holder !== Object.prototype && holder !== Function.prototype;
    holder = Object.getPrototypeOf(holder) as object | null
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(holder, method);
    if (descriptor)
      return typeof descriptor.value === 'function' ? (descriptor.value as (...args: unknown[]) => unknown) : undefined;
  }
  return undefined;
}
