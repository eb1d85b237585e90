// Many compiled patterns (rules, subscriptions) matched together: each event is read once, candidates come from an index.
import type { CompiledPattern, FieldCheck, SubRule } from './compile.js';
import type { Dialect } from './errors.js';
import { flatten, type Fields } from './flatten.js';
import type { Leaf } from './leaf.js';
import { subRuleMatches } from './match.js';

interface Rule<Id> { id: Id; seq: number; pattern: CompiledPattern; entries: Entry[] }

/** One `$or` alternative of one rule, filed under the exact values of its most selective field (or scanned). */
interface Entry {
  slot: number;
  subRule: SubRule;
  dialect: Dialect;
  /** The match() call that last evaluated it (an event array can hit one entry through several values). */
  tried: number;
  key?: { path: string; values: Leaf[] };
}

/**
 * Rules by id; `match(event)` returns the ids of the rules whose pattern matches, in the order they were added.
 * Patterns are compiled once by the caller. Each `$or` alternative is filed under one field whose list is plain values
 * (the fewest values; on a near-tie not `source`, which many rules share): an event only tries the alternatives whose
 * field holds one of its values, plus those without such a field. The event is flattened once, reading only the
 * paths some rule reads.
 */
export class RuleIndex<Id = string> {
  private readonly slots: (Rule<Id> | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly slotOf = new Map<Id, number>();
  private readonly index = new Map<string, Map<Leaf, Entry[]>>();
  private readonly scan = new Set<Entry>();
  private readonly pathRefs = new Map<string, number>();
  private readonly prefixRefs = new Map<string, number>();
  private matchedIn: number[] = [];
  private epoch = 0;
  private seq = 0;

  get size(): number { return this.slotOf.size; }
  has(id: Id): boolean { return this.slotOf.has(id); }

  /** Adds a rule, replacing any rule with the same id. */
  add(id: Id, pattern: CompiledPattern): void {
    this.remove(id);
    const slot = this.free.pop() ?? this.slots.length;
    const entries = pattern.subRules.map((subRule) => ({ slot, subRule, dialect: pattern.dialect, tried: 0, key: indexKey(subRule.fields) }));
    this.slots[slot] = { id, seq: this.seq++, pattern, entries };
    this.matchedIn[slot] = 0;
    this.slotOf.set(id, slot);
    for (const e of entries) {
      if (!e.key) { this.scan.add(e); continue; }
      let byValue = this.index.get(e.key.path);
      if (!byValue) this.index.set(e.key.path, (byValue = new Map()));
      for (const v of new Set(e.key.values)) {
        const bucket = byValue.get(v);
        if (bucket) bucket.push(e);
        else byValue.set(v, [e]);
      }
    }
    count(this.pathRefs, pattern.paths, 1);
    count(this.prefixRefs, pattern.prefixes, 1);
  }

  /** Removes a rule; false when there was none with that id. */
  remove(id: Id): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const rule = this.slots[slot] as Rule<Id>;
    for (const e of rule.entries) {
      if (!e.key) { this.scan.delete(e); continue; }
      const byValue = this.index.get(e.key.path) as Map<Leaf, Entry[]>;
      for (const v of new Set(e.key.values)) {
        const rest = (byValue.get(v) ?? []).filter((x) => x !== e);
        if (rest.length > 0) byValue.set(v, rest);
        else byValue.delete(v);
      }
      if (byValue.size === 0) this.index.delete(e.key.path);
    }
    count(this.pathRefs, rule.pattern.paths, -1);
    count(this.prefixRefs, rule.pattern.prefixes, -1);
    this.slots[slot] = undefined;
    this.slotOf.delete(id);
    this.free.push(slot);
    return true;
  }

  /** The ids of the rules matching `event` (its JSON view; see matches()). */
  match(event: unknown): Id[] {
    if (event === null || typeof event !== 'object' || Array.isArray(event) || this.slotOf.size === 0) return [];
    const run: Run<Id> = {
      epoch: ++this.epoch,
      event: event as Record<string, unknown>,
      fields: flatten(event as Record<string, unknown>, this.pathRefs, this.prefixRefs),
      noAttributes: undefined,
      hits: [],
    };
    for (const [path, byValue] of this.index) {
      const slot = run.fields.byPath.get(path);
      if (!slot) continue;
      for (const v of slot.values) {
        const bucket = byValue.get(v);
        if (bucket) for (const e of bucket) this.tryEntry(e, run);
      }
    }
    for (const e of this.scan) this.tryEntry(e, run);
    if (run.hits.length > 1) run.hits.sort((a, b) => a.seq - b.seq);
    return run.hits.map((r) => r.id);
  }

  private tryEntry(e: Entry, run: Run<Id>): void {
    if (e.tried === run.epoch || this.matchedIn[e.slot] === run.epoch) return;
    e.tried = run.epoch;
    // SNS: a message without attributes matches no attribute policy that names one.
    if (e.dialect === 'sns-attributes' && e.subRule.fields.length > 0 && (run.noAttributes ??= Object.keys(run.event).length === 0)) return;
    if (!subRuleMatches(e.subRule, run.fields, e.dialect)) return;
    this.matchedIn[e.slot] = run.epoch;
    run.hits.push(this.slots[e.slot] as Rule<Id>);
  }
}

/** One match() call's state. */
interface Run<Id> { epoch: number; event: Record<string, unknown>; fields: Fields; noAttributes: boolean | undefined; hits: Rule<Id>[] }

/** The field to file an alternative under: plain values only, the fewest of them, `source` losing near-ties. */
function indexKey(fields: FieldCheck[]): Entry['key'] {
  let best: FieldCheck | undefined;
  const cost = (f: FieldCheck) => f.leaf.exact.length + (f.path === 'source' ? 0.5 : 0);
  for (const f of fields) {
    if (!f.leaf.exactOnly || f.leaf.exact.length === 0) continue;
    if (!best || cost(f) < cost(best)) best = f;
  }
  return best && { path: best.path, values: best.leaf.exact };
}

function count(refs: Map<string, number>, keys: ReadonlySet<string>, delta: number): void {
  for (const k of keys) {
    const n = (refs.get(k) ?? 0) + delta;
    if (n > 0) refs.set(k, n);
    else refs.delete(k);
  }
}
