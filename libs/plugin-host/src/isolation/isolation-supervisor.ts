import { Logger, type InjectionToken } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginPackage, PluginRecord, PluginRegistry } from '../registry/index.js';
import { PluginState } from '../registry/plugin-state.js';
import { hostCalls } from './host-calls.js';
import type { FailureCode, IsolatedPlugin } from './isolated-plugin.js';
import { settingsOf, tierOf, type IsolationRules } from './isolation-rules.js';
import type { CrashBudget, IsolationTier } from './isolation-settings.js';
import { linksLeadingOut } from './module-dirs.js';

/** What the supervisor needs from the host. */
interface SupervisorHost {
  isolation: IsolationRules;
  crashBudget: CrashBudget;
  expose: InjectionToken[];
  /** Resolves an exposed host provider. */
  resolve(token: InjectionToken): unknown;
  /** The one gate before plugin code runs (trust, manifest, entry, compatibility, requirements, integrity); throws when it refuses. */
  admit(record: PluginRecord): { pkg?: PluginPackage; entry?: string };
  /** The plugin's `initialize` timeout, as the lifecycle reads it: an isolate's load counts against it. */
  loadTimeoutMs(record: PluginRecord): number;
  /** Initializes a restarted plugin (`loaded`): `enabled`, or `failed` with why. */
  start(record: PluginRecord): Promise<void>;
}

// The isolates' own code (worker_threads, child_process, v8, the message frames, the memory guard) loads when the
// first plugin starts in a worker or a process: most hosts run every plugin in-process and never need it.
let isolates: Promise<typeof import('./isolated-plugin.js')> | undefined;
const loadIsolates = (): Promise<typeof import('./isolated-plugin.js')> =>
  (isolates ??= import('./isolated-plugin.js'));

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
  private stopped = false;

  /** @param registry the records it updates (state, class, instance) as isolates start, crash and restart */
  constructor(
    private readonly registry: PluginRegistry,
    private readonly host: SupervisorHost,
  ) {}

  /** The tier a plugin runs in: the host's rule (exact name, else the first matching wildcard), else its manifest's, else in-process. */
  tierOf(record: PluginRecord, forceProcess = false): IsolationTier {
    return forceProcess ? 'process' : tierOf(this.host.isolation, record);
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
    const settings = settingsOf(this.host.isolation, record, pkg.dir, this.host.loadTimeoutMs(record));
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
      hostCalls(record, this.host.expose, this.host.resolve),
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
      (code !== PluginErrorCode.CRASHED && code !== PluginErrorCode.RESOURCE_LIMIT)
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
      await this.host.start(record);
    } catch (error) {
      if (!this.stopped) registry.transition(record, PluginState.FAILED, error as PluginError); // at shutdown it stays failed for its crash
    }
  }
}
