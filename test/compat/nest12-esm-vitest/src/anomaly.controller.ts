import { Body, Controller, Post } from '@nestjs/common';
import type { Matrix } from '@nestjs-plugin-host/anomaly-contracts';
import { AnomalyService } from './anomaly.service.js';

@Controller('anomalies')
export class AnomalyController {
  constructor(private readonly anomalyService: AnomalyService) {}

  @Post()
  detect(@Body() body: { rows: Matrix }) {
    return this.anomalyService.find(body.rows);
  }
}
