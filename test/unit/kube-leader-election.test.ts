// Leader election's pure parts: who may hold the Lease, and the MicroTime format written into it.
import { canHold, microTime } from '../../src/kube/leader-election.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const renewedAgo = (ms: number): string => microTime(now - ms);

describe('canHold', () => {
  it('takes a lease that does not exist yet or has no holder', () => {
    expect(canHold(undefined, 'me', now)).toBe(true);
    expect(canHold({ holderIdentity: '', renewTime: renewedAgo(0), leaseDurationSeconds: 15 }, 'me', now)).toBe(true);
  });

  it('keeps its own lease, even one it has not renewed in time', () => {
    expect(canHold({ holderIdentity: 'me', renewTime: renewedAgo(60_000), leaseDurationSeconds: 15 }, 'me', now)).toBe(true);
  });

  it('leaves another holder alone until its lease duration has passed since the last renewal', () => {
    expect(canHold({ holderIdentity: 'other', renewTime: renewedAgo(1_000), leaseDurationSeconds: 15 }, 'me', now)).toBe(false);
    expect(canHold({ holderIdentity: 'other', renewTime: renewedAgo(15_000), leaseDurationSeconds: 15 }, 'me', now)).toBe(false);
    expect(canHold({ holderIdentity: 'other', renewTime: renewedAgo(15_001), leaseDurationSeconds: 15 }, 'me', now)).toBe(true);
  });

  it('assumes a 15 s lease when the duration is missing, and takes a lease never renewed', () => {
    expect(canHold({ holderIdentity: 'other', renewTime: renewedAgo(14_000) }, 'me', now)).toBe(false);
    expect(canHold({ holderIdentity: 'other', renewTime: renewedAgo(16_000) }, 'me', now)).toBe(true);
    expect(canHold({ holderIdentity: 'other', leaseDurationSeconds: 15 }, 'me', now)).toBe(true);
  });
});

describe('microTime', () => {
  it('is RFC 3339 in UTC with six fractional digits', () => {
    expect(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678))).toBe('2024-01-02T03:04:05.678000Z');
    expect(microTime(now)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('parses back to the same instant', () => {
    expect(Date.parse(microTime(now + 123))).toBe(now + 123);
  });
});
