// Request ids and trace ids: their shapes, and no repeats (trace ids come from a refilled pool of random bytes).
import { newRequestId, newTraceId } from '../../src/core/ids.js';

it('makes trace ids in the X-Ray shape, with the time, none repeated across many pool refills', () => {
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);
  const ids = Array.from({ length: 2000 }, () => newTraceId(now));
  for (const id of ids) expect(id).toMatch(new RegExp(`^Root=1-${(now / 1000).toString(16)}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`));
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids.map((id) => id.slice(18, 42))).size).toBe(ids.length);
});

it('makes request ids as UUIDs', () => {
  expect(newRequestId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
