export { StandardScalerPlugin, type ScalerModel } from './standard-scaler.plugin.js';
export { StandardScalerConfig } from './scaler-config.js';
