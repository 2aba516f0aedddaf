import { Plugin } from 'nestjs-plugin-host';

// In TypeScript: @Plugin({ name: 'hello', type: 'greeting', version: '1.0.0' }) above the class.
export class HelloPlugin {
  greeted = 0;

  initialize(config, ctx) {
    ctx.logger.log('ready to greet');
  }

  healthCheck() {
    return { status: 'up', details: { greeted: this.greeted } };
  }

  greet(who) {
    this.greeted++;
    return `hello, ${who}`;
  }
}
Plugin({ name: 'hello', type: 'greeting', version: '1.0.0' })(HelloPlugin);
