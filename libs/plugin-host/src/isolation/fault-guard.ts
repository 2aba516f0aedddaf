import { Logger } from '@nestjs/common';
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import type { PluginRecord, PluginRegistry } from '../registry/index.js';
import { PluginState } from '../registry/plugin-state.js';

type FaultKind = 'uncaught exception' | 'unhandled rejection';

/**
 * Keeps an in-process plugin's stray error from taking the host down: an
 * uncaught exception or unhandled rejection whose stack runs through a plugin
 * package's files (a timer it set, a promise it dropped) fails that plugin
 * (`PLUGIN_CRASHED`) and cleans it up, and the host keeps serving. An error that
 * cannot be traced to a plugin is the host's: it is raised again as Node would,
 * unless the host listens for it itself. Attribution reads stack traces only, so
 * it costs nothing until something goes wrong.
 */
export class PluginFaultGuard {
  private static readonly guards = new Set<PluginFaultGuard>();
  private static readonly onUncaught = (error: unknown): void =>
    PluginFaultGuard.handle(error, 'uncaught exception', 'uncaughtException');
  private static readonly onRejection = (reason: unknown): void =>
    PluginFaultGuard.handle(reason, 'unhandled rejection', 'unhandledRejection');
  private readonly logger = new Logger('PluginHost');

  constructor(
    private readonly registry: PluginRegistry,
    private readonly stopPlugin: (record: PluginRecord) => Promise<unknown>,
  ) {}

  install(): void {
    if (PluginFaultGuard.guards.size === 0) {
      process.on('uncaughtException', PluginFaultGuard.onUncaught);
      process.on('unhandledRejection', PluginFaultGuard.onRejection);
    }
    PluginFaultGuard.guards.add(this);
  }

  uninstall(): void {
    if (!PluginFaultGuard.guards.delete(this) || PluginFaultGuard.guards.size > 0) return;
    process.off('uncaughtException', PluginFaultGuard.onUncaught);
    process.off('unhandledRejection', PluginFaultGuard.onRejection);
  }

  private static handle(error: unknown, kind: FaultKind, event: 'uncaughtException' | 'unhandledRejection'): void {
    const stack = error instanceof Error ? (error.stack ?? '') : '';
    for (const guard of PluginFaultGuard.guards) {
      const record = guard.culprit(stack);
      if (record) return guard.fault(record, error, kind);
    }
    // Not a plugin's: behave as Node does without us, unless the host has its own listener.
    if (process.listenerCount(event) > 1) return;
    for (const guard of [...PluginFaultGuard.guards]) guard.uninstall();
    setImmediate(() => {
      throw error;
    });
  }

  /** The in-process package plugin whose files the stack runs through. */
  private culprit(stack: string): PluginRecord | undefined {
    if (!stack) return undefined;
    return this.registry.all().find((record) => {
      const dir = record.package?.dir;
      if (!dir || (record.isolation !== undefined && record.isolation !== 'in-process')) return false;
      return stack.includes(dir + sep) || stack.includes(`${pathToFileURL(dir).href}/`);
    });
  }

  private fault(record: PluginRecord, error: unknown, kind: FaultKind): void {
    if (record.state === PluginState.FAILED) return; // already stopped for an earlier fault
    const fault = new PluginError(
      PluginErrorCode.CRASHED,
      `plugin "${record.name}" raised an ${kind} outside any call (${describeError(error)}); it was stopped so the host keeps running. Fix it, then enable it.`,
      { plugin: record.name, cause: error, details: { kind } },
    );
    this.logger.error(fault.message);
    this.registry.transition(record, PluginState.FAILED, fault); // calls fail fast from now on
    void this.stopPlugin(record).catch(() => undefined); // its cleanup should clear what keeps firing
  }
}
