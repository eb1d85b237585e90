// Test helper: an EventBusBackend in memory (one namespace's rules by bus and name, and the events each putEvents call
// was handed), for the EventBridge handlers' tests. The real backends are the manifest folder and EventRule objects.
import type { BusEvent, EventBusBackend, RuleView } from '../../src/events/contracts.js';
import type { BusListing } from '../../src/router/eventbridge/context.js';

export class MemoryBus implements EventBusBackend, BusListing {
  readonly rules = new Map<string, Map<string, RuleView>>();
  /** Each putEvents call: the bus and the events, in call order. */
  readonly puts: Array<{ bus: string; events: BusEvent[] }> = [];
  /** Set to make putEvents on that bus fail, as a backend whose Redis is away does. */
  failPutEventsOn = new Set<string>();

  async busExists(bus: string): Promise<boolean> {
    return bus === 'default' || (this.rules.get(bus)?.size ?? 0) > 0;
  }

  async listBuses(): Promise<string[]> {
    return [...this.rules].filter(([, r]) => r.size > 0).map(([bus]) => bus);
  }

  async putEvents(bus: string, events: BusEvent[]): Promise<void> {
    if (this.failPutEventsOn.has(bus)) throw new Error(`redis away for ${bus}`);
    this.puts.push({ bus, events });
  }

  async listRules(bus: string): Promise<RuleView[]> {
    return [...(this.rules.get(bus)?.values() ?? [])].map((r) => structuredClone(r));
  }

  async getRule(bus: string, name: string): Promise<RuleView | undefined> {
    const r = this.rules.get(bus)?.get(name);
    return r ? structuredClone(r) : undefined;
  }

  async putRule(bus: string, name: string, change: (current: RuleView | undefined) => RuleView): Promise<RuleView> {
    const current = this.rules.get(bus)?.get(name);
    const next = change(current ? structuredClone(current) : undefined);
    const stored = structuredClone({ ...next, spec: { ...next.spec, eventBusName: bus } });
    if (!this.rules.has(bus)) this.rules.set(bus, new Map());
    this.rules.get(bus)!.set(name, stored);
    return structuredClone(stored);
  }

  async deleteRule(bus: string, name: string): Promise<void> {
    this.rules.get(bus)?.delete(name);
  }

  /** Every event handed over, in order. */
  events(bus?: string): BusEvent[] {
    return this.puts.filter((p) => bus === undefined || p.bus === bus).flatMap((p) => p.events);
  }
}
