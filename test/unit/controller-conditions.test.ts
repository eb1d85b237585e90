// Status conditions: one per type, lastTransitionTime moves only when the status does, observedGeneration recorded.
import { nextStatus, setCondition } from '../../src/controller/conditions.js';
import type { Condition } from '../../src/controller/kinds.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:05:00Z';
const ready = (status: Condition['status'], reason = 'Deployed'): Condition =>
  ({ type: 'Ready', status, reason, message: 'm', lastTransitionTime: T0, observedGeneration: 1 });
const synced: Condition = { type: 'Synced', status: 'True', reason: 'Ok', message: '', lastTransitionTime: T0 };

describe('setCondition', () => {
  it('keeps lastTransitionTime when the status stays the same, even if reason and message change', () => {
    const [c] = setCondition([ready('True')], { type: 'Ready', status: 'True', reason: 'Scaled', message: 'new' }, 2, T1);
    expect(c).toEqual({ type: 'Ready', status: 'True', reason: 'Scaled', message: 'new', lastTransitionTime: T0, observedGeneration: 2 });
  });

  it('moves lastTransitionTime to now when the status changes', () => {
    const [c] = setCondition([ready('True')], { type: 'Ready', status: 'False', reason: 'Failed', message: 'x' }, 1, T1);
    expect(c?.lastTransitionTime).toBe(T1);
  });

  it('adds a condition of a new type at now', () => {
    expect(setCondition(undefined, { type: 'Ready', status: 'Unknown', reason: 'Pending', message: '' }, 3, T1))
      .toEqual([{ type: 'Ready', status: 'Unknown', reason: 'Pending', message: '', lastTransitionTime: T1, observedGeneration: 3 }]);
  });

  it('replaces the condition of the same type and keeps those of other types', () => {
    const out = setCondition([synced, ready('True')], { type: 'Ready', status: 'False', reason: 'Failed', message: 'x' }, 1, T1);
    expect(out.filter((c) => c.type === 'Ready')).toHaveLength(1);
    expect(out.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(out.find((c) => c.type === 'Synced')).toEqual(synced);
  });

  it('leaves observedGeneration out when the generation is unknown', () => {
    const [c] = setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Ok', message: '' }, undefined, T1);
    expect(c).not.toHaveProperty('observedGeneration');
  });
});

describe('nextStatus', () => {
  it('keeps the current fields, overrides them with the new ones and records the generation and Ready', () => {
    const current = { observedGeneration: 1, routedName: 'old', replicas: 2, conditions: [synced, ready('True')] };
    const next = nextStatus(current, 4, { type: 'Ready', status: 'True', reason: 'Routed', message: 'ok' }, { routedName: 'live' }, T1);
    expect(next).toMatchObject({ observedGeneration: 4, routedName: 'live', replicas: 2 });
    expect(next.conditions).toEqual([synced, { type: 'Ready', status: 'True', reason: 'Routed', message: 'ok', lastTransitionTime: T0, observedGeneration: 4 }]);
  });

  it('starts from nothing', () => {
    expect(nextStatus(undefined, 1, { type: 'Ready', status: 'False', reason: 'Invalid', message: 'bad' }, {}, T1)).toEqual({
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'False', reason: 'Invalid', message: 'bad', lastTransitionTime: T1, observedGeneration: 1 }],
    });
  });
});
