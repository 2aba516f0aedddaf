import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PyodModel } from './compute.js';

/** What the store says of a model (the model itself stays in the process). */
export interface StoredModel {
  id: string;
  method: PyodModel['method'];
  /** Features per row. */
  width: number;
  threshold: number;
  contamination: number;
  fittedAt: string;
}

/** How many models the store keeps; fitting one more forgets the oldest. */
export const MAX_STORED_MODELS = 100;

/** The models fitted through the plugin's routes, by id, in memory (they last as long as the plugin's application). */
@Injectable()
export class ModelStore {
  private readonly models = new Map<string, { model: PyodModel; info: StoredModel }>();

  add(model: PyodModel): StoredModel {
    const info: StoredModel = {
      id: randomUUID(),
      method: model.method,
      width: model.width,
      threshold: model.threshold,
      contamination: model.contamination,
      fittedAt: new Date().toISOString(),
    };
    this.models.set(info.id, { model, info });
    for (const id of this.models.keys()) {
      if (this.models.size <= MAX_STORED_MODELS) break;
      this.models.delete(id); // the oldest first: a Map keeps insertion order
    }
    return info;
  }

  get(id: string): PyodModel | undefined {
    return this.models.get(id)?.model;
  }

  list(): StoredModel[] {
    return [...this.models.values()].map((entry) => entry.info);
  }

  delete(id: string): boolean {
    return this.models.delete(id);
  }
}
