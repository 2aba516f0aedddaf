import { describe, expect, it } from '@jest/globals';
import type { PyodModel } from './compute.js';
import { MAX_STORED_MODELS, ModelStore } from './model-store.js';

const model = (threshold: number) =>
  ({ method: 'hbos', width: 2, threshold, contamination: 0.1 }) as unknown as PyodModel;

describe('ModelStore', () => {
  it('keeps models by id and forgets the oldest past its capacity', () => {
    const store = new ModelStore();
    const first = store.add(model(0));
    expect(store.get(first.id)?.threshold).toBe(0);
    const ids = Array.from({ length: MAX_STORED_MODELS }, (_, i) => store.add(model(i + 1)).id);
    expect(store.get(first.id)).toBeUndefined(); // the oldest went
    expect(store.list()).toHaveLength(MAX_STORED_MODELS);
    expect(store.list()[0]).toMatchObject({ id: ids[0], method: 'hbos', width: 2, threshold: 1 });
    expect(store.delete(ids[0] as string)).toBe(true);
    expect(store.delete(ids[0] as string)).toBe(false);
  });
});
