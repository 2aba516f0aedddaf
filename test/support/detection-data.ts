import { seededRandom } from '../../plugins/pyod/src/random.js';

/** Two Gaussian blobs of inliers plus far-away outliers; `truth[i]` is 1 for an injected outlier. */
export function blobsWithOutliers(
  seed: number,
  inliers = 300,
  outliers = 15,
  dims = 2,
): { data: number[][]; truth: number[] } {
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const data: number[][] = [];
  const truth: number[] = [];
  const centres = [Array(dims).fill(0), Array(dims).fill(5)];
  for (let i = 0; i < inliers; i++) {
    data.push(centres[i % 2].map((c) => c + gaussian() * 0.8));
    truth.push(0);
  }
  for (let i = 0; i < outliers; i++) {
    data.push(Array.from({ length: dims }, () => (random() < 0.5 ? -1 : 1) * (12 + random() * 8)));
    truth.push(1);
  }
  return { data, truth };
}

/** ROC-AUC as the probability that a random outlier outscores a random inlier (ties count half). */
export function rocAuc(scores: number[], truth: number[]): number {
  const positives = scores.filter((_, i) => truth[i] === 1);
  const negatives = scores.filter((_, i) => truth[i] === 0);
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}
