import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { PipelineRequest, type PipelineResponse } from './pipeline.dto.js';
import { PipelineService } from './pipeline.service.js';

@Controller('pipeline')
export class PipelineController {
  constructor(private readonly pipeline: PipelineService) {}

  @Post()
  @HttpCode(200)
  run(@Body() request: PipelineRequest): Promise<PipelineResponse> {
    return this.pipeline.run(request);
  }
}
