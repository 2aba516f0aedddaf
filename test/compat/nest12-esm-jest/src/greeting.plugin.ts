import { Controller, Get, Query } from '@nestjs/common';
import { InjectPlugin, Plugin, type PluginHealth } from 'nestjs-plugin-host';

/** The plugin's own route: GET /plugins/greeting/hello?who=… while the plugin is enabled. */
@Controller()
export class GreetingController {
  // Typed by its shape: the plugin class is declared below.
  constructor(
    @InjectPlugin('greeting')
    private readonly greeting: { greet(who: string): string },
  ) {}

  @Get('hello')
  hello(@Query('who') who = 'world'): { message: string } {
    return { message: this.greeting.greet(who) };
  }
}

/** The app's own plugin, listed in `PluginModule.forRoot({ plugins })`; a module plugin with one route. */
@Plugin({
  name: 'greeting',
  type: 'greeting',
  version: '1.0.0',
  compatibility: '^0.1.0',
  controllers: [GreetingController],
})
export class GreetingPlugin {
  private greeted = 0;

  healthCheck(): PluginHealth {
    return { status: 'up', details: { greeted: this.greeted } };
  }

  greet(who: string): string {
    this.greeted++;
    return `hello, ${who}`;
  }
}
