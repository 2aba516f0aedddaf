/**
 * A plugin's type: any non-empty string the host and its plugins agree on (`'algorithm'`, `'notifier'`). Each type
 * gets an `@InjectPlugins(type)` list. The library names none: a domain's types live with its contracts (for an
 * anomaly-detection platform, `@nestjs-plugin-host/anomaly-contracts`' `PluginType`).
 */
export type PluginTypeName = string;
