export { OnHook, hookImplementations, type HookImplementation, type OnHookOptions } from './on-hook.decorator.js';
export { PluginHooks, type HookContext, type HookResult } from './plugin-hooks.service.js';
export { HookRunner } from './hook-runner.js';
