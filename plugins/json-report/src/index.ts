export {
  JsonReportPlugin,
  REPORT_FORMATS,
  type DetectionCompleted,
  type ReportFile,
  type ReportFormat,
} from './json-report.plugin.js';
export { ReportsController } from './reports.controller.js';
export { JsonReportConfig } from './report-config.js';
