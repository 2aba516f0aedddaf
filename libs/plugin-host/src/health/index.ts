export { PluginHealthIndicator, type PluginHealthEntry } from './plugin-health.indicator.js';
