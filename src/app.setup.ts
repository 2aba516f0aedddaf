import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PluginErrorFilter } from 'nestjs-plugin-host';
import { BodyShapePipe, REQUEST_LIMITS, RequestValidationPipe } from './request-limits.js';

/** What main.ts and the e2e tests both apply, so tests run the app as it is served. */
export function configureApp(app: INestApplication): INestApplication {
  // Registered before init, so it replaces Nest's default JSON parser (100 kB).
  (app as NestExpressApplication).useBodyParser('json', { limit: REQUEST_LIMITS.bodyBytes });
  // The shape check first: the ValidationPipe recurses into the body.
  app.useGlobalPipes(new BodyShapePipe(), new RequestValidationPipe());
  app.useGlobalFilters(new PluginErrorFilter());
  app.enableShutdownHooks();
  return app;
}
