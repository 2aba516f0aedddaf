export { PluginHealthIndicator, type PluginHealthEntry } from './plugin-health.indicator.js';
export { PluginHealthChecks } from './plugin-health-checks.js';
