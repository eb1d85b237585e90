import { desiredEnvironments, type ScaleInput } from '../../src/scaler/decide.js';

const base: ScaleInput = {
  now: 100_000, pending: 0, inFlight: 0, current: 0, provisioned: 0,
  maxEnvironments: 50, lastBusyAt: 100_000, idleTimeoutMs: 60_000,
};

describe('how many environments a version wants', () => {
  it('starts one from zero on the first request', () => {
    expect(desiredEnvironments({ ...base, pending: 1 })).toBe(1);
  });
  it('grows to the work waiting and running, never shrinking while busy', () => {
    expect(desiredEnvironments({ ...base, pending: 5, inFlight: 3, current: 2 })).toBe(8);
    expect(desiredEnvironments({ ...base, pending: 1, current: 6 })).toBe(6);
  });
  it('never goes above reserved concurrency or the backend ceiling', () => {
    expect(desiredEnvironments({ ...base, pending: 100, reserved: 4 })).toBe(4);
    expect(desiredEnvironments({ ...base, pending: 100 })).toBe(50);
    expect(desiredEnvironments({ ...base, pending: 3, reserved: 0 })).toBe(0);
  });
  it('keeps provisioned concurrency warm with no traffic', () => {
    expect(desiredEnvironments({ ...base, provisioned: 2, lastBusyAt: 0 })).toBe(2);
  });
  it('keeps idle environments until the idle window passes, then goes back to the floor', () => {
    expect(desiredEnvironments({ ...base, current: 3, lastBusyAt: base.now - 59_999 })).toBe(3);
    expect(desiredEnvironments({ ...base, current: 3, lastBusyAt: base.now - 60_000 })).toBe(0);
    expect(desiredEnvironments({ ...base, current: 3, provisioned: 1, lastBusyAt: 0 })).toBe(1);
  });
});
