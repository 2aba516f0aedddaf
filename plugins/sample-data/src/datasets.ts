/** A sample dataset: rows of numbers, and which of them were planted as anomalies. */
export interface Dataset {
  name: string;
  description: string;
  columns: string[];
  rows: number[][];
  /** Row indexes of the planted anomalies (what a detector should find). */
  anomalies: number[];
}

/** What `datasets()` lists of one. */
export type DatasetInfo = Omit<Dataset, 'rows' | 'anomalies'> & { rows: number; anomalies: number };

/** A small seeded generator (mulberry32): the same dataset on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal values (Box–Muller) around `mean` with spread `sd`. */
function normal(next: () => number, mean: number, sd: number): number {
  return mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function generate(
  name: string,
  description: string,
  columns: { name: string; mean: number; sd: number }[],
  size: number,
  planted: number,
  seed: number,
): Dataset {
  const next = random(seed);
  const rows = Array.from({ length: size }, () => columns.map((c) => round(normal(next, c.mean, c.sd))));
  const anomalies: number[] = [];
  while (anomalies.length < planted) {
    const row = Math.floor(next() * size);
    if (anomalies.includes(row)) continue;
    anomalies.push(row);
    // Far out on one column: 6 to 9 standard deviations.
    const column = Math.floor(next() * columns.length);
    const { mean, sd } = columns[column] ?? { mean: 0, sd: 1 };
    (rows[row] as number[])[column] = round(mean + (next() < 0.5 ? -1 : 1) * (6 + 3 * next()) * sd);
  }
  return { name, description, columns: columns.map((c) => c.name), rows, anomalies: anomalies.sort((a, b) => a - b) };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** The built-in datasets, made on first use. */
export const DATASETS: Record<string, () => Dataset> = {
  sensors: () =>
    generate(
      'sensors',
      'temperature, pressure and vibration of a pump, 500 readings, 10 faults planted',
      [
        { name: 'temperature', mean: 65, sd: 2.5 },
        { name: 'pressure', mean: 4.2, sd: 0.15 },
        { name: 'vibration', mean: 0.8, sd: 0.05 },
      ],
      500,
      10,
      42,
    ),
  transactions: () =>
    generate(
      'transactions',
      'amount and items of 1000 card payments, 15 unusual ones planted',
      [
        { name: 'amount', mean: 48, sd: 12 },
        { name: 'items', mean: 3, sd: 1 },
      ],
      1000,
      15,
      7,
    ),
};
