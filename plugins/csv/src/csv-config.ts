import { IsOptional, IsString, Length, MinLength } from 'class-validator';

/** Config of `csv` (`config.csv`, env `PLUGIN_CSV_<KEY>`). */
export class CsvConfig {
  /** The folder every file name is relative to; nothing outside it is read or written. Relative to the working directory. */
  @IsString()
  @MinLength(1)
  folder: string = './data';

  /** The field separator. */
  @IsString()
  @Length(1, 1)
  delimiter: string = ',';

  /** The file `readData()` and `getSchema()` use when given none. */
  @IsOptional()
  @IsString()
  defaultFile?: string;
}
