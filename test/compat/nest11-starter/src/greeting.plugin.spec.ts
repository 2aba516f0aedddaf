import { Test } from '@nestjs/testing';
import { PluginManager, PluginModule } from 'nestjs-plugin-host';
import { GreetingPlugin } from './greeting.plugin';

describe('GreetingPlugin', () => {
  it('greets (the class alone)', () => {
    expect(new GreetingPlugin().greet('nest')).toBe('hello, nest');
  });

  it('runs in a plugin host', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PluginModule.forRoot({ plugins: [GreetingPlugin] })],
    }).compile();
    await moduleRef.init(); // plugins start on module init

    const plugins = moduleRef.get(PluginManager);
    expect(plugins.list().map((p) => `${p.name} ${p.state}`)).toEqual([
      'greeting enabled',
    ]);
    expect(plugins.get<GreetingPlugin>('greeting').greet('nest')).toBe(
      'hello, nest',
    );
    await moduleRef.close();
  });
});
