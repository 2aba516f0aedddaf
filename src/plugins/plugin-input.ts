import { BadRequestException } from '@nestjs/common';

/**
 * Runs a plugin call whose input came from the request. Plugins reject input
 * they cannot use (bad data, a file outside their folder) with a RangeError:
 * that is the client's mistake, so 400 with the plugin's message; anything else
 * stays a 500.
 */
export async function withRequestInput<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RangeError) throw new BadRequestException(error.message);
    throw error;
  }
}
