import { Plugin, type PluginHealth } from 'nestjs-plugin-host';

/** The app's own plugin, listed in `PluginModule.forRoot({ plugins })`. */
@Plugin({
  name: 'greeting',
  type: 'greeting',
  version: '1.0.0',
  compatibility: '^0.1.0',
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
