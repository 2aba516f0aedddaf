import { Controller, Get, Param } from '@nestjs/common';
import { PluginManager, type PluginInfo, type PluginStartupReport } from 'nestjs-plugin-host';

@Controller('plugins')
export class PluginsController {
  constructor(private readonly plugins: PluginManager) {}

  /** Every plugin with its state, version, type, source and error. */
  @Get()
  list(): PluginInfo[] {
    return this.plugins.list();
  }

  /** The startup report: outcome and ms per phase of every plugin. */
  @Get('report')
  report(): PluginStartupReport {
    return this.plugins.report();
  }

  @Get(':name')
  info(@Param('name') name: string): PluginInfo {
    return this.plugins.info(name);
  }
}
