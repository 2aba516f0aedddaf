import { NestFactory } from '@nestjs/core';
import { ConfiguredAppModule } from './configured-app.module';

async function bootstrap() {
  const app = await NestFactory.create(ConfiguredAppModule);
  await app.listen(process.env.PORT ?? 3000);
}
bootstrap();
