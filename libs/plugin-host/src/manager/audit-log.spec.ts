import { describe, expect, it } from '@jest/globals';
import { AuditLog } from './audit-log.js';

describe('AuditLog', () => {
  const entry = (n: number) => ({ time: `t${n}`, operation: 'enable', plugin: `p${n}`, outcome: 'ok' as const });

  it('keeps the last entries, oldest first, within its capacity', () => {
    const log = new AuditLog(3);
    for (let n = 1; n <= 5; n++) log.add(entry(n));
    expect(log.list().map((e) => e.plugin)).toEqual(['p3', 'p4', 'p5']);
  });

  it('returns copies', () => {
    const log = new AuditLog(2);
    log.add(entry(1));
    log.list()[0].plugin = 'changed';
    expect(log.list()[0].plugin).toBe('p1');
  });
});
