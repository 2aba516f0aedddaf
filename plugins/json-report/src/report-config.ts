import { IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';

/** Config of `json-report` (`config['json-report']`, env `PLUGIN_JSON_REPORT_<KEY>`). */
export class JsonReportConfig {
  /** Where `exportData` writes; nothing outside it is written. Relative to the working directory. */
  @IsString()
  @MinLength(1)
  folder: string = './reports';

  /** Where `sendNotification` POSTs (JSON). Unset: notifications are refused with a clear error. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  webhookUrl?: string;

  /** `detection.completed` notifies the webhook when a detection finds at least this many anomalies. */
  @IsInt()
  @Min(1)
  notifyMinAnomalies: number = 1;

  /** How long a webhook call may take, ms. */
  @IsInt()
  @Min(1)
  @Max(120_000)
  webhookTimeoutMs: number = 5000;
}
