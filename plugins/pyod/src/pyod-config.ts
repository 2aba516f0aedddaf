import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

export const PYOD_METHODS = ['iforest', 'ecod', 'copod', 'hbos', 'knn', 'lof'] as const;
export const KNN_METHODS = ['largest', 'mean', 'median'] as const;
export type PyodMethod = (typeof PYOD_METHODS)[number];

/**
 * The plugin's config (module option `config.pyod`, file `PLUGIN_PYOD_CONFIG`,
 * env `PLUGIN_PYOD_<KEY>`). Each value is the default for `fit` params.
 */
export class PyodConfig {
  /** The detector `fit` uses when params name none. */
  @IsIn(PYOD_METHODS)
  method: PyodMethod = 'iforest';

  /** Expected share of outliers, (0, 0.5]: sets the score threshold. */
  @IsNumber()
  @Min(0.0001)
  @Max(0.5)
  contamination: number = 0.1;

  /** Isolation Forest: number of trees. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  nEstimators: number = 100;

  /** Isolation Forest: rows per tree (PyOD's max_samples="auto" is 256). */
  @IsInt()
  @Min(2)
  maxSamples: number = 256;

  /** Seed of the Isolation Forest's randomness: same seed, same scores. */
  @IsInt()
  randomState: number = 42;

  /** HBOS: bins per feature (PyOD's n_bins). */
  @IsInt()
  @Min(2)
  @Max(10_000)
  nBins: number = 10;

  /** HBOS: added to each bin's density before the log (PyOD's alpha). */
  @IsNumber()
  @Min(1e-12)
  @Max(1)
  alpha: number = 0.1;

  /** HBOS: how far past the training range, in bin widths, a value still takes the edge bin's density (PyOD's tol). */
  @IsNumber()
  @Min(0)
  @Max(1000)
  tol: number = 0.5;

  /** KNN and LOF: neighbours per row (PyOD's n_neighbors). Unset: PyOD's default, 5 for KNN and 20 for LOF. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  nNeighbors?: number;

  /** KNN: a row's score is its k-th neighbour distance (`largest`), or the mean or median of its k distances. */
  @IsIn(KNN_METHODS)
  knnMethod: (typeof KNN_METHODS)[number] = 'largest';

  /** How long one detector call (a fit, a scoring, an explanation) may run in pyod's thread, ms; past it the thread is stopped and the call fails with PLUGIN_TIMEOUT. Config only, not a fit param. */
  @IsInt()
  @Min(100)
  callTimeoutMs: number = 60_000;
}
