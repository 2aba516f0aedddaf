import { Module } from '@nestjs/common';
import { DetectionModule } from '../detection/detection.module.js';
import { PipelineController } from './pipeline.controller.js';
import { PipelineService } from './pipeline.service.js';

@Module({ imports: [DetectionModule], controllers: [PipelineController], providers: [PipelineService] })
export class PipelineModule {}
