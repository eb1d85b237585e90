// The functions whose figures a process exports, with their concurrency settings (pure).
import { provisionedFor, type RouteEntry } from '../core/routes.js';

export interface InventoryVersion {
  /** "$LATEST" or a number. */
  version: string;
  /** Provisioned concurrency this version gets from its aliases. */
  provisioned: number;
}

export interface InventoryFunction {
  namespace: string;
  functionName: string;
  /** Unset: no reserved concurrency (the account's limit applies). */
  reservedConcurrency?: number;
  versions: InventoryVersion[];
}

/** Every function of the routing table (cluster: the controller's RouteCache), keyed "ns/fn". */
export function inventoryFromRoutes(entries: ReadonlyMap<string, RouteEntry>): InventoryFunction[] {
  const out: InventoryFunction[] = [];
  for (const [name, entry] of entries) {
    const slash = name.indexOf('/');
    const aliases = Object.values(entry.aliases);
    const versions = [...(entry.fn ? ['$LATEST'] : []), ...Object.keys(entry.versions)];
    const f: InventoryFunction = {
      namespace: name.slice(0, slash), functionName: name.slice(slash + 1),
      versions: versions.map((version) => ({ version, provisioned: provisionedFor(aliases, version) })),
    };
    if (entry.fn?.reservedConcurrency !== undefined) f.reservedConcurrency = entry.fn.reservedConcurrency;
    out.push(f);
  }
  return out;
}
