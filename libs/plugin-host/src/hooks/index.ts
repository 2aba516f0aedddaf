export { HookRunner } from './hook-runner.js';
