import { describe, expect, it } from '@jest/globals';
import { seededRandom } from './random.js';
import { argsort, percentile } from './stats.js';

/** A stable comparator argsort: what the radix sort must equal index for index. */
const reference = (values: Float64Array) => Array.from(values.keys()).sort((a, b) => values[a] - values[b] || a - b);

describe('argsort', () => {
  const random = seededRandom(11);
  const cases: [string, number[]][] = [
    ['uniform values', Array.from({ length: 5000 }, () => random())],
    [
      'negatives, zeros of both signs and ties',
      Array.from({ length: 6000 }, (_, i) => [-0, 0, -1.5, 1.5, Math.round(random() * 20 - 10)][i % 5]),
    ],
    [
      'magnitudes from 1e-300 to 1e300',
      Array.from({ length: 4000 }, () => (random() - 0.5) * 10 ** Math.round(random() * 600 - 300)),
    ],
    ['one value repeated', new Array(3000).fill(7.25)],
    ['fewer rows than the radix sort starts at', Array.from({ length: 50 }, () => random() - 0.5)],
  ];

  it.each(cases)('orders %s as a stable comparator sort does', (_, numbers) => {
    const values = Float64Array.from(numbers);
    const order = Array.from(argsort(values));
    // -0 and 0 compare equal (the radix sort puts every -0 first), so values are compared with -0 read as 0.
    expect(order.map((i) => values[i] + 0)).toEqual(reference(values).map((i) => values[i] + 0));
    const stable = order.every((i, k) => k === 0 || !Object.is(values[i], values[order[k - 1]]) || i > order[k - 1]);
    expect(stable).toBe(true);
  });

  it('reads a view into a larger buffer at its own offset', () => {
    const buffer = Float64Array.from({ length: 6000 }, (_, i) => (i < 1000 ? 1e9 : 5000 - i));
    const view = buffer.subarray(1000);
    expect(Array.from(argsort(view)).slice(0, 3)).toEqual([4999, 4998, 4997]);
  });
});

describe('percentile', () => {
  it('interpolates linearly between the two nearest ranks, as numpy.percentile', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([10, 0], 90)).toBe(9);
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([-1, -3, -2], 100)).toBe(-1);
  });
});
