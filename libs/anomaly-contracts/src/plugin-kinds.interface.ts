import type { PluginLifecycle } from 'nestjs-plugin-host';

/** A table of numbers: one row per sample, one column per feature. */
export type Matrix = number[][];

/** Outcome of `AlgorithmPlugin.predict`: PyOD semantics, higher score = more anomalous. */
export interface DetectionResult {
  /** One anomaly score per row. */
  scores: number[];
  /** One label per row: 1 = anomaly, 0 = normal. */
  labels: (0 | 1)[];
  /** The score above which a row is labelled 1 (set from `contamination` at fit time). */
  threshold: number;
}

/** A detector: `fit` learns from data, `predict` scores new rows with the fitted model. */
export interface AlgorithmPlugin<C extends object = Record<string, unknown>, M = unknown> extends PluginLifecycle<C> {
  fit(data: Matrix, params?: Record<string, unknown>): M | Promise<M>;
  predict(model: M, data: Matrix): DetectionResult | Promise<DetectionResult>;
  /**
   * Fits on `data` and returns the training rows' own scores and labels (PyOD's `decision_scores_` and `labels_`).
   * Not always `predict(fit(data), data)`: for neighbour methods a training row is not its own neighbour, and ECDF
   * methods pool new rows with the training data. Callers that score the data they fit on should prefer it.
   */
  fitPredict?(data: Matrix, params?: Record<string, unknown>): DetectionResult | Promise<DetectionResult>;
  /** Per-feature contributions to each row's score. */
  explain?(model: M, data: Matrix): number[][] | Promise<number[][]>;
  /** The hyper-parameters `fit` accepts, with their ranges, for tuning UIs. */
  getHyperparameterSpace?(): Record<string, unknown>;
  /** Throws (or returns messages) when `params` are not acceptable to `fit`. */
  validateParameters?(params: Record<string, unknown>): string[] | void;
}

/** Where data comes from and goes to (files, databases, APIs). */
export interface DataSourcePlugin<C extends object = Record<string, unknown>> extends PluginLifecycle<C> {
  connect(options?: Record<string, unknown>): void | Promise<void>;
  readData(query?: string | Record<string, unknown>): Promise<Record<string, unknown>[]>;
  writeData(rows: Record<string, unknown>[], target?: string): Promise<number>;
  getSchema(): Promise<Record<string, string>>;
  testConnection(): Promise<boolean>;
}

/** How results leave the platform (reports, exports, notifications). */
export interface OutputPlugin<C extends object = Record<string, unknown>> extends PluginLifecycle<C> {
  formatOutput(results: Record<string, unknown>): string | Promise<string>;
  exportData(data: Record<string, unknown>[], format: string): Buffer | string | Promise<Buffer | string>;
  sendNotification?(message: string, options?: Record<string, unknown>): Promise<void>;
}

/** Steps before and after detection (scaling, cleaning, validation). */
export interface ProcessingPlugin<C extends object = Record<string, unknown>> extends PluginLifecycle<C> {
  preprocess(data: Matrix, options?: Record<string, unknown>): Matrix | Promise<Matrix>;
  postprocess?(results: DetectionResult): DetectionResult | Promise<DetectionResult>;
  /** Returns the problems found in `data` (empty: valid). */
  validate?(data: Matrix): string[] | Promise<string[]>;
}
