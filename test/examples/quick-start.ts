import { Injectable, Module } from '@nestjs/common';
import { IsString } from 'class-validator';
import { InjectPlugin, Plugin, PluginModule, type PluginContext } from 'nestjs-plugin-host';

export class GreeterConfig {
  @IsString()
  greeting = 'hello';
}

@Plugin({ name: 'greeter', type: 'greeting', version: '1.0.0', configSchema: GreeterConfig })
export class GreeterPlugin {
  private greeting = 'hello';

  initialize(config: GreeterConfig, ctx: PluginContext<GreeterConfig>): void {
    this.greeting = config.greeting;
    ctx.logger.log(`greeting with "${config.greeting}"`);
  }

  greet(who: string): string {
    return `${this.greeting}, ${who}`;
  }
}

@Injectable()
export class WelcomeService {
  constructor(@InjectPlugin('greeter') private readonly greeter: GreeterPlugin) {}

  welcome(user: string): string {
    return this.greeter.greet(user); // a direct call on the live plugin; PLUGIN_DISABLED if an operator disables it
  }
}

@Module({
  imports: [PluginModule.forRoot({ plugins: [GreeterPlugin], config: { greeter: { greeting: 'welcome' } } })],
  providers: [WelcomeService],
})
export class AppModule {}
