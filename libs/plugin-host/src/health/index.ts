export { PluginHealthChecks } from './plugin-health-checks.js';
