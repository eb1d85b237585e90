// The JSON path subset EventBridge reads in a target's InputPath and an input transformer's InputPathsMap (pure):
// `$`, dot notation (names of letters, digits, '-', '_' and '/'), array indices `[0]`, and wildcards `.*` / `[*]`.

export type PathStep = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

export interface JsonPath {
  text: string;
  steps: PathStep[];
  /** A wildcard makes the result the list of every value it reaches, as EventBridge gives it. */
  many: boolean;
}

const STEP = /^(?:\.([A-Za-z0-9_\-/]+)|\.\*|\[(\d{1,9})\]|\[\*\])/;

/** The path, or undefined when it is not one EventBridge reads (bracketed names, filters, recursion, slices…). */
export function parseJsonPath(text: string): JsonPath | undefined {
  if (!text.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  let rest = text.slice(1);
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push({ kind: 'name', name: m[1] });
    else if (m[2] !== undefined) steps.push({ kind: 'index', index: Number(m[2]) });
    else steps.push({ kind: 'wildcard' });
    rest = rest.slice(m[0].length);
  }
  return { text, steps, many: steps.some((s) => s.kind === 'wildcard') };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function step(values: unknown[], s: PathStep): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (s.kind === 'name') {
      if (isObject(v) && Object.hasOwn(v, s.name)) out.push(v[s.name]);
    } else if (s.kind === 'index') {
      if (Array.isArray(v) && s.index < v.length) out.push(v[s.index]);
    } else if (Array.isArray(v)) {
      out.push(...v);
    } else if (isObject(v)) {
      out.push(...Object.values(v));
    }
  }
  return out;
}

/** What the path reaches in `root`: the value, the list of values for a wildcard path, or undefined when nothing is there. */
export function evaluateJsonPath(path: JsonPath, root: unknown): unknown {
  let values: unknown[] = [root];
  for (const s of path.steps) {
    values = step(values, s);
    if (values.length === 0) return undefined;
  }
  return path.many ? values : values[0];
}
