import { IsString, MinLength } from 'class-validator';

/** Config of `sample-data` (`config['sample-data']`, env `PLUGIN_SAMPLE_DATA_<KEY>`). */
export class SampleDataConfig {
  /** Where `save` writes datasets. In the `process` tier it must also be in the host's `allowWrite` for the plugin. */
  @IsString()
  @MinLength(1)
  folder: string = './datasets';
}
