export { JsonReportPlugin, REPORT_FORMATS, type DetectionCompleted, type ReportFormat } from './json-report.plugin.js';
export { JsonReportConfig } from './report-config.js';
