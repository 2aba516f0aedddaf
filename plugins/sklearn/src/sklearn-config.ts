import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';

export const SKLEARN_METHODS = ['isolation-forest', 'one-class-svm', 'local-outlier-factor'] as const;
export type SklearnMethod = (typeof SKLEARN_METHODS)[number];

/** Config of `sklearn` (`config.sklearn`, env `PLUGIN_SKLEARN_<KEY>`); each model value is the default of the same `fit` param. */
export class SklearnConfig {
  /** The Python to run. Unset: the first of `python3` (PATH) and `/usr/bin/python3` that can import scikit-learn. */
  @IsOptional()
  @IsString()
  pythonPath?: string;

  @IsIn(SKLEARN_METHODS)
  method: SklearnMethod = 'isolation-forest';

  /** Expected share of outliers, (0, 0.5]: sets the threshold (and OneClassSVM's `nu` unless given). */
  @IsNumber()
  @Min(0.0001)
  @Max(0.5)
  contamination: number = 0.1;

  /** IsolationForest: number of trees. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  nEstimators: number = 100;

  /** LocalOutlierFactor: neighbours. Capped: scikit-learn holds rows × nNeighbors distances in memory. */
  @IsInt()
  @Min(1)
  @Max(1_000)
  nNeighbors: number = 20;

  /** IsolationForest: seed. */
  @IsInt()
  randomState: number = 42;

  /** How long one call into Python may take, ms; past it the Python process is restarted. */
  @IsInt()
  @Min(100)
  callTimeoutMs: number = 60_000;
}
