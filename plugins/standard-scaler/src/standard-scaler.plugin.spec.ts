import { describe, expect, it } from '@jest/globals';
import { StandardScalerConfig } from './scaler-config.js';
import { StandardScalerPlugin } from './standard-scaler.plugin.js';

function scaler(config: Partial<StandardScalerConfig> = {}): StandardScalerPlugin {
  const plugin = new StandardScalerPlugin();
  plugin.initialize(Object.assign(new StandardScalerConfig(), config), {} as never);
  return plugin;
}

describe('standard-scaler', () => {
  const data = [
    [1, 10, 5],
    [2, 20, 5],
    [3, 30, 5],
    [4, 40, 5],
  ];

  it('gives each column mean 0 and population std 1, as scikit-learn', () => {
    const out = scaler().preprocess(data);
    for (let c = 0; c < 2; c++) {
      const column = out.map((row) => row[c]);
      expect(column.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
      expect(Math.sqrt(column.reduce((a, b) => a + b * b, 0) / column.length)).toBeCloseTo(1, 12);
    }
    // sklearn: StandardScaler().fit_transform([[1],[2],[3],[4]]) -> [-1.3416, -0.4472, 0.4472, 1.3416]
    expect(out.map((row) => row[0])).toEqual(
      [-1.3416407864998738, -0.4472135954999579, 0.4472135954999579, 1.3416407864998738].map((v) =>
        expect.closeTo(v, 12),
      ),
    );
    expect(out.map((row) => row[2])).toEqual([0, 0, 0, 0]); // a constant column is centred, not divided by 0
  });

  it('uses the sample std with ddof 1, and skips what is switched off', () => {
    expect(scaler({ ddof: 1 }).fit(data).scales[0]).toBeCloseTo(1.2909944487358056, 12);
    expect(scaler({ withMean: false, withStd: false }).preprocess(data)).toEqual(data);
  });

  it('transforms new rows with fitted statistics and inverts them', () => {
    const plugin = scaler();
    const model = plugin.fit(data);
    const scaled = plugin.transform(model, [[2.5, 25, 5]]);
    expect(scaled[0][0]).toBeCloseTo(0, 12);
    expect(plugin.inverseTransform(model, scaled)[0]).toEqual([
      expect.closeTo(2.5, 12),
      expect.closeTo(25, 12),
      expect.closeTo(5, 12),
    ]);
    expect(() => plugin.transform(model, [[1, 2]])).toThrow('row 0 has 2 values, expected 3');
  });

  it('validate lists ragged rows, NaN and non-numbers with row and column', () => {
    expect(scaler().validate([[1, 2], [3], [NaN, 4], [5, '6' as unknown as number]])).toEqual([
      'row 1 has 1 value, expected 2',
      'row 2, column 0: NaN is not a finite number',
      'row 3, column 1: "6" is not a number',
    ]);
    expect(scaler().validate(data)).toEqual([]);
    expect(() => scaler().preprocess([[1], [NaN]])).toThrow(RangeError);
  });

  it('postprocess rescales scores and threshold to [0, 1], keeping labels', () => {
    const result = scaler().postprocess({ scores: [2, 4, 10], labels: [0, 0, 1], threshold: 6 });
    expect(result).toEqual({ scores: [0, 0.25, 1], labels: [0, 0, 1], threshold: 0.5 });
    expect(scaler({ normalizeScores: false }).postprocess({ scores: [2], labels: [0], threshold: 3 })).toEqual({
      scores: [2],
      labels: [0],
      threshold: 3,
    });
  });
});
