import { describe, expect, it } from '@jest/globals';
import { exposedToken } from './host-access.js';

class MetricsService {}
class SecretsService {}

describe('exposedToken (what ctx.get may return, in-process and from an isolate)', () => {
  const expose = [MetricsService, 'CONFIG'];

  it('returns the exposed token the plugin declared, matched by identity or by name (an isolate sends names)', () => {
    expect(exposedToken('p', { inject: [MetricsService] }, expose, MetricsService)).toBe(MetricsService);
    expect(exposedToken('p', { inject: [MetricsService] }, expose, 'MetricsService')).toBe(MetricsService);
    expect(exposedToken('p', { inject: ['CONFIG'] }, expose, 'CONFIG')).toBe('CONFIG');
  });

  it('refuses a token the plugin did not declare, even one the host exposes', () => {
    expect(() => exposedToken('p', { inject: [] }, expose, MetricsService)).toThrow(
      expect.objectContaining({
        code: 'PLUGIN_ACCESS_DENIED',
        plugin: 'p',
        message: expect.stringContaining('does not declare it in @Plugin({ inject })'),
      }),
    );
  });

  it('refuses a token the plugin declared but the host does not expose', () => {
    expect(() => exposedToken('p', { inject: [SecretsService] }, expose, SecretsService)).toThrow(
      expect.objectContaining({
        code: 'PLUGIN_ACCESS_DENIED',
        message: expect.stringContaining('which the host does not expose'),
      }),
    );
    expect(() => exposedToken('p', { inject: ['toString'] }, expose, 'toString')).toThrow(
      expect.objectContaining({ code: 'PLUGIN_ACCESS_DENIED' }),
    );
  });
});
