import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { PluginErrorFilter } from 'nestjs-plugin-host';

/** What main.ts and the e2e tests both apply, so tests run the app as it is served. */
export function configureApp(app: INestApplication): INestApplication {
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new PluginErrorFilter());
  app.enableShutdownHooks();
  return app;
}
