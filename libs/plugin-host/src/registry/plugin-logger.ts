import { Logger } from '@nestjs/common';

/** The Nest logger a plugin's messages go through: context `Plugin:<name>`, wherever the plugin runs. */
export function pluginLogger(name: string): Logger {
  return new Logger(`Plugin:${name}`);
}
