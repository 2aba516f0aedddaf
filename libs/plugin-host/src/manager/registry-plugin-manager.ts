import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginReferences } from '../injection/index.js';
import type { LazyLoader, LifecycleRunner, OperationEffects, RuntimeOperations } from '../lifecycle/index.js';
import { startupPhases } from '../lifecycle/startup-timing.js';
import { PluginState } from '../registry/plugin-state.js';
import type { PluginEvent, PluginEventName, PluginRecord, PluginRegistry } from '../registry/index.js';
import { jsonShapeProblem } from '../toolkit/json-shape.js';
import { AuditLog, type AuditEntry, type OperationContext } from './audit-log.js';
import type {
  PluginInfo,
  PluginListFilter,
  PluginOperationResult,
  PluginReportEntry,
  PluginStartupReport,
} from './plugin-info.interface.js';
import { PluginManager } from './plugin-manager.js';

/** The replicas' shared state (StateSync), when the host has a store: operations go through it. */
export interface SharedPluginState {
  readonly version: number;
  readonly audit: { add(entry: AuditEntry): void; list(): AuditEntry[] };
  operate(
    operation: 'enable' | 'disable' | 'reload' | 'updateConfig',
    name: string,
    patch?: Record<string, unknown>,
  ): Promise<OperationEffects | undefined>;
}

/** The work behind `PluginManager` (see there) for the app's registry, built as the app boots. */
export class RegistryPluginManager extends PluginManager {
  private readonly auditLog: SharedPluginState['audit'];
  // withPlugin: how many blocks use a plugin now, and whether the first found it off.
  private readonly leases = new Map<string, { count: number; restore: boolean }>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly runner: LifecycleRunner,
    private readonly lazy: LazyLoader,
    private readonly operations: RuntimeOperations,
    private readonly references: PluginReferences,
    private readonly routes: {
      routesOf?(name: string): { method: string; path: string }[] | undefined;
      settled?(): Promise<void>;
    } = {},
    private readonly shared?: SharedPluginState,
  ) {
    super();
    this.auditLog = shared?.audit ?? new AuditLog();
  }

  override enable(name: string, context?: OperationContext): Promise<PluginOperationResult> {
    return this.operate('enable', name, context, () => this.operations.enable(name));
  }

  override disable(name: string, context?: OperationContext): Promise<PluginOperationResult> {
    return this.operate('disable', name, context, () => this.operations.disable(name));
  }

  override reload(name: string, context?: OperationContext): Promise<PluginOperationResult> {
    return this.operate('reload', name, context, async () => {
      await this.operations.reload(name);
      return undefined;
    });
  }

  override stateVersion(): number {
    return this.shared?.version ?? 0;
  }

  override updateConfig(
    name: string,
    patch: Record<string, unknown>,
    context?: OperationContext,
  ): Promise<PluginOperationResult> {
    const run = async (): Promise<undefined> => void (await this.operations.updateConfig(name, patch));
    return this.operate('updateConfig', name, context, run, patch, () => this.checkPatch(name, patch));
  }

  /** PLUGIN_NOT_FOUND before anything about the patch; then a patch that is not a flat-enough object of keys. */
  private checkPatch(name: string, patch: unknown): void {
    this.registry.require(name);
    // A prototype key is never a config key (a merge would follow it into a prototype), and a deep patch would overflow the merge and validation.
    const problem =
      patch === null || typeof patch !== 'object' || Array.isArray(patch)
        ? `must be an object of config keys, got ${JSON.stringify(patch)}`
        : jsonShapeProblem(patch);
    if (problem)
      throw new PluginError(
        PluginErrorCode.CONFIG_INVALID,
        `plugin "${name}": the config update ${problem}. Give the config keys to change.`,
        { plugin: name, phase: 'configure' },
      );
  }

  /** Overlapping blocks share one enable; the last to finish puts the plugin back as the first found it. */
  override async withPlugin<T, P = unknown>(name: string, fn: (plugin: P) => T | Promise<T>): Promise<T> {
    const record = this.registry.require(name);
    let lease = this.leases.get(name);
    if (!lease) this.leases.set(name, (lease = { count: 0, restore: record.state !== PluginState.ENABLED }));
    lease.count++;
    try {
      await this.operations.enable(name);
      return await fn(this.references.referenceOf(name) as P);
    } finally {
      if (--lease.count === 0) {
        this.leases.delete(name);
        if (lease.restore && (record.state as PluginState) === PluginState.ENABLED) await this.operations.disable(name);
      }
    }
  }

  override on(event: PluginEventName, listener: (event: PluginEvent) => void): () => void {
    this.registry.events.on(event, listener);
    return () => this.registry.events.off(event, listener);
  }

  override audit(): AuditEntry[] {
    return this.auditLog.list();
  }

  /** Runs an operation here, or through the replicas' store (which applies it here too); audits either outcome. */
  private async operate(
    operation: 'enable' | 'disable' | 'reload' | 'updateConfig',
    name: string,
    context: OperationContext | undefined,
    run: () => Promise<OperationEffects | undefined>,
    patch?: Record<string, unknown>,
    check?: () => void,
  ): Promise<PluginOperationResult> {
    const entry: AuditEntry = { time: new Date().toISOString(), operation, plugin: name, ...context, outcome: 'ok' };
    try {
      check?.();
      const effects = this.shared ? await this.shared.operate(operation, name, patch) : await run();
      // Module plugins' applications (re)built by the operation are up before it answers.
      await this.routes.settled?.();
      this.auditLog.add(entry);
      return {
        ...this.info(name),
        ...(effects?.alsoEnabled.length && { alsoEnabled: effects.alsoEnabled }),
        ...(effects?.alsoDisabled.length && { alsoDisabled: effects.alsoDisabled }),
      };
    } catch (error) {
      this.auditLog.add({
        ...entry,
        outcome: 'error',
        ...(error instanceof PluginError ? { code: error.code } : {}),
        message: (error as Error)?.message ?? String(error),
      });
      throw error;
    }
  }

  override list(filter: PluginListFilter = {}): PluginInfo[] {
    return this.registry
      .all()
      .filter(
        (record) =>
          (filter.type === undefined || record.metadata.type === filter.type) &&
          (filter.state === undefined || record.state === filter.state),
      )
      .map((record) => this.toInfo(record));
  }

  override get<T = unknown>(name: string): T {
    const record = this.registry.require(name);
    if (record.state !== PluginState.ENABLED) throw this.registry.unavailableError(record);
    return this.references.referenceOf(name) as T;
  }

  override async load(name: string): Promise<PluginInfo> {
    await this.lazy.load(name);
    return this.info(name);
  }

  override info(name: string): PluginInfo {
    return this.toInfo(this.registry.require(name));
  }

  private toInfo(record: PluginRecord): PluginInfo {
    return toInfo(record, this.routes.routesOf?.(record.name));
  }

  override report(): PluginStartupReport {
    const summary: PluginStartupReport['summary'] = {};
    const plugins = this.registry.all().map((record): PluginReportEntry => {
      summary[record.state] = (summary[record.state] ?? 0) + 1;
      const { phases, totalMs } = startupPhases(record.timings);
      return {
        name: record.name,
        version: record.metadata.version,
        type: record.metadata.type,
        source: record.source.description,
        outcome: record.state,
        ...(record.error && { error: { code: record.error.code, message: record.error.message } }),
        phases,
        totalMs,
      };
    });
    return {
      hostVersion: this.registry.hostVersion,
      startedAt: this.registry.startedAt.toISOString(),
      durationMs: this.runner.startupMs,
      summary,
      plugins,
    };
  }
}

/** One plugin's info, with its routes when it serves any. */
function toInfo(record: PluginRecord, routes?: { method: string; path: string }[]): PluginInfo {
  const { metadata } = record;
  return {
    name: record.name,
    type: metadata.type,
    version: metadata.version,
    ...(metadata.description !== undefined && { description: metadata.description }),
    state: record.state,
    source: { ...record.source },
    required: record.required,
    lazy: record.lazy,
    ...(metadata.compatibility !== undefined && { compatibility: metadata.compatibility }),
    dependencies: { ...metadata.dependencies },
    ...(record.error && { error: { code: record.error.code, message: record.error.message } }),
    timings: { ...record.timings },
    warnings: [...record.warnings],
    ...(routes && { routes }),
  };
}
