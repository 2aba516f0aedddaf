import { IsBoolean, IsIn } from 'class-validator';

/** Config of `standard-scaler` (`config['standard-scaler']`, env `PLUGIN_STANDARD_SCALER_<KEY>`). */
export class StandardScalerConfig {
  /** Subtract each column's mean. */
  @IsBoolean()
  withMean: boolean = true;

  /** Divide by each column's standard deviation. */
  @IsBoolean()
  withStd: boolean = true;

  /** Degrees of freedom of the standard deviation: 0 (population, as scikit-learn) or 1 (sample). */
  @IsIn([0, 1])
  ddof: 0 | 1 = 0;

  /** `postprocess` rescales anomaly scores to [0, 1] (min–max) so they read as a share of the worst. */
  @IsBoolean()
  normalizeScores: boolean = true;
}
