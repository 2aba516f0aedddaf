import { BadRequestException, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { InjectPlugin } from 'nestjs-plugin-host';
import type { Dataset, DatasetInfo } from './datasets.js';
import type { SampleDataPlugin } from './sample-data.plugin.js';

/** The datasets over HTTP, served inside the plugin's isolate. */
@Controller('datasets')
export class DatasetsController {
  // By name: the plugin's class imports this controller, so the class itself is not available here yet.
  constructor(@InjectPlugin('sample-data') private readonly data: SampleDataPlugin) {}

  @Get()
  list(): DatasetInfo[] {
    return this.data.datasets();
  }

  @Get(':name')
  one(@Param('name') name: string): Dataset {
    return known(() => this.data.dataset(name));
  }

  /** Writes the dataset to the plugin's folder: refused (403) unless the host granted the plugin that folder. */
  @Post(':name/save')
  async save(@Param('name') name: string): Promise<{ file: string }> {
    known(() => this.data.dataset(name));
    try {
      return { file: await this.data.save(name) };
    } catch (error) {
      if (error instanceof RangeError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}

function known<T>(get: () => T): T {
  try {
    return get();
  } catch (error) {
    if (error instanceof RangeError) throw new NotFoundException(error.message);
    throw error;
  }
}
