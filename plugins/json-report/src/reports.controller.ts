import { BadRequestException, Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { InjectPlugin } from 'nestjs-plugin-host';
import type { JsonReportPlugin, ReportFile } from './json-report.plugin.js';

/** The reports in the plugin's folder, over HTTP (served under /plugins/json-report while the plugin is enabled). */
@Controller('reports')
export class ReportsController {
  // By name: the plugin's class imports this controller, so the class itself is not available here yet.
  constructor(@InjectPlugin('json-report') private readonly reports: JsonReportPlugin) {}

  @Get()
  list(): Promise<ReportFile[]> {
    return this.reports.listReports();
  }

  /** The report's content, as `application/json` or `text/csv`; 404 when it does not exist, 400 for a name outside the folder. */
  @Get(':file')
  async read(
    @Param('file') file: string,
    @Res({ passthrough: true }) res: { type(type: string): void },
  ): Promise<string> {
    try {
      const { format, content } = await this.reports.readReport(file);
      res.type(format === 'json' ? 'application/json' : 'text/csv');
      return content;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw error.message.endsWith('does not exist')
        ? new NotFoundException(`report ${error.message}`)
        : new BadRequestException(error.message);
    }
  }
}
