// Pure scaling decision for one function version: how many execution environments it should have now.

export interface ScaleInput {
  now: number;
  /** Jobs waiting in the version's queue. */
  pending: number;
  /** Jobs a consumer holds right now. */
  inFlight: number;
  /** Environments running or starting. */
  current: number;
  /** Provisioned concurrency: the floor, kept warm. */
  provisioned: number;
  /** Reserved concurrency: the ceiling, when set. */
  reserved?: number;
  /** The backend's own ceiling per version. */
  maxEnvironments: number;
  /** Last time the version had any work (pending or in flight). */
  lastBusyAt: number;
  /** Idle time after which a version goes back to its floor. */
  idleTimeoutMs: number;
}

export function desiredEnvironments(i: ScaleInput): number {
  const cap = Math.max(0, Math.min(i.reserved ?? Number.POSITIVE_INFINITY, i.maxEnvironments));
  const floor = Math.min(cap, i.provisioned);
  const demand = i.pending + i.inFlight;
  if (demand > 0) return Math.min(cap, Math.max(floor, i.current, demand));
  if (i.now - i.lastBusyAt >= i.idleTimeoutMs) return floor;
  return Math.min(cap, Math.max(floor, i.current));
}
