// Status conditions as Kubernetes keeps them (pure): one per type, lastTransitionTime moves only when the status does.
import type { Condition, StoredStatus } from './kinds.js';

export interface ConditionInput {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

export function setCondition(existing: Condition[] | undefined, input: ConditionInput, generation: number | undefined, nowIso: string): Condition[] {
  const old = existing?.find((c) => c.type === input.type);
  const next: Condition = {
    ...input,
    lastTransitionTime: old && old.status === input.status ? old.lastTransitionTime : nowIso,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  return [...(existing ?? []).filter((c) => c.type !== input.type), next];
}

export const readyCondition = (status: StoredStatus | undefined): Condition | undefined => status?.conditions?.find((c) => c.type === 'Ready');

/** The status to write: everything in `fields`, observedGeneration, and the Ready condition. */
export function nextStatus(current: StoredStatus | undefined, generation: number | undefined, ready: ConditionInput, fields: Record<string, unknown>, nowIso: string): StoredStatus {
  return {
    ...(current ?? {}),
    ...fields,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: setCondition(current?.conditions, ready, generation, nowIso),
  };
}
