import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { DetectRequest, type DetectResponse } from './detect.dto.js';
import { DetectionService } from './detection.service.js';

@Controller('detect')
export class DetectionController {
  constructor(private readonly detection: DetectionService) {}

  @Post()
  @HttpCode(200)
  detect(@Body() request: DetectRequest): Promise<DetectResponse> {
    return this.detection.detect(request);
  }
}
