// Resources of an execution environment: the function's memory with CPU in proportion, as Lambda sizes it, and the agent's own on top.

/** Lambda gives one vCPU at 1,769 MB and scales CPU linearly with memory. */
export const MB_PER_VCPU = 1769;

export interface ContainerResources {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

/** The function container: memoryMB → memory request = limit; CPU request = limit in millicores (at least 1m); /tmp's size. */
export function environmentResources(memoryMB: number, ephemeralStorageMB: number): ContainerResources {
  const cpu = `${Math.max(1, Math.round((memoryMB / MB_PER_VCPU) * 1000))}m`;
  const memory = `${memoryMB}Mi`;
  const storage = `${ephemeralStorageMB}Mi`;
  return {
    requests: { cpu, memory, 'ephemeral-storage': storage },
    limits: { cpu, memory, 'ephemeral-storage': storage },
  };
}

/** The agent's V8 old space: its memory limit minus room for buffers of 6 MB payloads and node itself. */
export const AGENT_HEAP_MB = 96;

/**
 * The runtime agent container, requested on top of the function's memory and CPU (a 128 MB function gets its
 * 128 MB). Memory request = limit so the agent is never the pod's first victim; a CPU limit above the request so
 * a burst of results is not throttled.
 */
export const AGENT_RESOURCES: ContainerResources = {
  requests: { cpu: '50m', memory: '160Mi', 'ephemeral-storage': '16Mi' },
  limits: { cpu: '500m', memory: '160Mi', 'ephemeral-storage': '64Mi' },
};
