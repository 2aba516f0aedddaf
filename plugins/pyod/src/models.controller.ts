import type { DetectionResult, Matrix } from '@nestjs-plugin-host/anomaly-contracts';
import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { InjectPlugin } from 'nestjs-plugin-host';
import { ModelStore, type StoredModel } from './model-store.js';
import type { PyodParams, PyodPlugin } from './pyod.plugin.js';

/**
 * Fit once, score many times, over HTTP (served under /plugins/pyod while the plugin is enabled): `POST fit` stores a
 * model and answers its id, `POST score` scores rows with a stored model. Bad data or params answer 400
 * `PLUGIN_INPUT_INVALID` with what is wrong.
 */
@Controller()
export class ModelsController {
  constructor(
    // By name: the plugin's class imports this controller, so the class itself is not available here yet.
    @InjectPlugin('pyod') private readonly pyod: PyodPlugin,
    private readonly store: ModelStore,
  ) {}

  @Post('fit')
  async fit(@Body() body: { data?: Matrix; params?: PyodParams }): Promise<StoredModel & { rows: number }> {
    const model = await this.pyod.fit(body?.data as Matrix, body?.params ?? {});
    return { ...this.store.add(model), rows: body.data?.length ?? 0 };
  }

  @Post('score')
  @HttpCode(200)
  score(@Body() body: { model?: string; data?: Matrix }): Promise<DetectionResult> {
    return this.pyod.predict(this.modelOf(body?.model), body.data as Matrix);
  }

  @Get('models')
  list(): StoredModel[] {
    return this.store.list();
  }

  @Delete('models/:id')
  @HttpCode(204)
  remove(@Param('id') id: string): void {
    if (!this.store.delete(id)) throw this.missing(id);
  }

  private modelOf(id: unknown) {
    const model = typeof id === 'string' ? this.store.get(id) : undefined;
    if (!model) throw this.missing(id);
    return model;
  }

  private missing(id: unknown): NotFoundException {
    return new NotFoundException(
      `no stored model ${JSON.stringify(id)}: fit one with POST /plugins/pyod/fit and score with the id it answers (the store keeps the last 100)`,
    );
  }
}
