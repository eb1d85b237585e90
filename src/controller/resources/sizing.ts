// Resources of an execution environment from the function's memory, with CPU in proportion as Lambda does.

/** Lambda gives one vCPU at 1,769 MB and scales CPU linearly with memory. */
export const MB_PER_VCPU = 1769;

export interface ContainerResources {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

/** memoryMB → memory request = limit; CPU request = limit in millicores (at least 1m). */
export function environmentResources(memoryMB: number, ephemeralStorageMB: number): ContainerResources {
  const cpu = `${Math.max(1, Math.round((memoryMB / MB_PER_VCPU) * 1000))}m`;
  const memory = `${memoryMB}Mi`;
  const storage = `${ephemeralStorageMB}Mi`;
  return {
    requests: { cpu, memory, 'ephemeral-storage': storage },
    limits: { cpu, memory, 'ephemeral-storage': storage },
  };
}
