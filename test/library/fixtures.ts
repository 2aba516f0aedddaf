import type { LoggerService, ModuleMetadata, Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Plugin,
  PluginModule,
  type PluginContext,
  type PluginHealth,
  type PluginMetadata,
  type PluginModuleSyncOptions,
  type PluginPhaseContext,
} from 'nestjs-plugin-host';

/** Records what plugins did, in order, so tests can assert on order and counts. */
export class CallLog {
  readonly entries: string[] = [];
  add(entry: string): void {
    this.entries.push(entry);
  }
  of(prefix: string): string[] {
    return this.entries.filter((entry) => entry.startsWith(prefix));
  }
}

export interface FakePluginBehaviour {
  initialize?: (config: object, ctx: PluginContext<object>) => unknown;
  cleanup?: (ctx: PluginPhaseContext) => unknown;
  healthCheck?: (ctx: PluginPhaseContext) => PluginHealth | Promise<PluginHealth>;
}

/**
 * A real `@Plugin()` class built for a test: it logs `init:<name>`,
 * `cleanup:<name>` and `construct:<name>`, then runs the given behaviour.
 */
export function makePlugin(
  metadata: Partial<PluginMetadata> & { name: string },
  log: CallLog,
  behaviour: FakePluginBehaviour = {},
): Type<object> {
  const full: PluginMetadata = { type: 'algorithm', version: '1.0.0', compatibility: '^0.1.0', ...metadata };
  class FakePlugin {
    constructor() {
      log.add(`construct:${full.name}`);
    }
    ping(): string {
      return `pong from ${full.name}`;
    }
    async initialize(config: object, ctx: PluginContext<object>): Promise<void> {
      log.add(`init:${full.name}`);
      await behaviour.initialize?.(config, ctx);
    }
    async cleanup(ctx: PluginPhaseContext): Promise<void> {
      log.add(`cleanup:${full.name}`);
      await behaviour.cleanup?.(ctx);
    }
  }
  if (behaviour.healthCheck) {
    Object.defineProperty(FakePlugin.prototype, 'healthCheck', {
      value: behaviour.healthCheck,
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(FakePlugin, 'name', { value: `${full.name.replace(/[^A-Za-z0-9]/g, '_')}Plugin` });
  Plugin(full)(FakePlugin);
  return FakePlugin;
}

/** A logger that keeps every line, for tests about what the host prints. */
export class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string; context?: string }[] = [];
  log(message: unknown, context?: string): void {
    this.lines.push({ level: 'log', message: String(message), context });
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push({ level: 'error', message: String(message), context: rest.at(-1) as string });
  }
  warn(message: unknown, context?: string): void {
    this.lines.push({ level: 'warn', message: String(message), context });
  }
  debug(): void {}
  verbose(): void {}
  messages(context = 'PluginHost'): string[] {
    return this.lines.filter((line) => line.context === context).map((line) => `${line.level}: ${line.message}`);
  }
}

export interface HostOptions extends PluginModuleSyncOptions {
  /** Extra providers/controllers/imports of the root test module. */
  module?: ModuleMetadata;
  /** Run init (the plugin lifecycle); default true. */
  init?: boolean;
}

export interface Host {
  moduleRef: TestingModule;
  logger: CapturingLogger;
  close(): Promise<void>;
}

/** Boots a testing module hosting plugins, with env isolated from the machine's. */
export async function bootHost({ module = {}, init = true, ...options }: HostOptions): Promise<Host> {
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [PluginModule.forRoot({ hostVersion: '0.1.0', env: {}, ...options }), ...(module.imports ?? [])],
    providers: module.providers ?? [],
    controllers: module.controllers ?? [],
  })
    .setLogger(logger)
    .compile();
  if (init) await moduleRef.init();
  return { moduleRef, logger, close: () => moduleRef.close() };
}

/** A promise and its resolve function, for tests that hold a plugin at a point. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** What `fn` throws (fails the test when it throws nothing). */
export function thrownBy(fn: () => unknown): Error & { code?: string; plugin?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the call to throw');
}
