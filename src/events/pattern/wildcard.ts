// Wildcard values: `*` matches any run of characters (none included), `\*` and `\\` are literal; EventBridge's checks.
import { refuse } from './errors.js';

/** A parsed wildcard: literal pieces between the stars. `pieces.length` is the number of stars + 1. */
export interface Wildcard { pieces: string[] }

/**
 * Parses a wildcard value as event-ruler does; positions in its reasons count UTF-8 bytes of the value as quoted
 * JSON (the opening quote is byte 0), which is what AWS reports ("Consecutive wildcard characters at pos 26").
 */
export function parseWildcard(value: string): Wildcard {
  const pieces: string[] = [];
  let current = '';
  let pos = 1;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '*') {
      if (value[i + 1] === '*') refuse(`Consecutive wildcard characters at pos ${pos}`);
      pieces.push(current);
      current = '';
    } else if (c === '\\') {
      const next = value[i + 1];
      if (next !== '*' && next !== '\\') refuse(`Invalid escape character at pos ${pos}`);
      current += next;
      i++;
      pos++;
    } else {
      current += c;
      const code = c.charCodeAt(0);
      // Surrogate pairs are 4 UTF-8 bytes over 2 UTF-16 units; others 1-3 bytes for 1 unit.
      if (code >= 0xd800 && code <= 0xdbff) { current += value[++i] ?? ''; pos += 3; }
      else if (code >= 0x800) pos += 2;
      else if (code >= 0x80) pos += 1;
    }
    pos++;
  }
  pieces.push(current);
  return { pieces };
}

/** Whole-string match, linear in practice: each piece is found leftmost after the previous (greedy glob). */
export function wildcardMatches(w: Wildcard, s: string): boolean {
  const { pieces } = w;
  const first = pieces[0] as string;
  if (pieces.length === 1) return s === first;
  const last = pieces[pieces.length - 1] as string;
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  let at = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] as string;
    const found = s.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * EventBridge refuses wildcards whose matching could keep too many partial matches alive at once ("Rule is too
 * complex"); AWS publishes no number. We count the most NFA states a worst-case input keeps alive (subset
 * construction) and refuse above WILDCARD_MAX_COMPLEXITY, calibrated on AWS's answers: `*:*:*:*:*:event-bus/*`
 * (13) refused; `/Users/*\/dir/dir/dir/dir/dir/doc.txt` (8) and `arn:aws:events:us-east-1:*:event-bus/*` (5) accepted.
 */
export const WILDCARD_MAX_COMPLEXITY = 10;
/** Bounds the subset construction itself for hostile values. */
const MAX_SUBSETS = 5000;

export function wildcardComplexity(w: Wildcard): number {
  // Tokens: literal characters and stars; state i = tokens[0..i) matched.
  const tokens: (string | null)[] = [];
  w.pieces.forEach((piece, i) => {
    if (i > 0) tokens.push(null);
    for (const ch of piece) tokens.push(ch);
  });
  const n = tokens.length;
  const close = (states: Set<number>): Set<number> => {
    const stack = [...states];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (i < n && tokens[i] === null && !states.has(i + 1)) { states.add(i + 1); stack.push(i + 1); }
    }
    return states;
  };
  const alphabet = [...new Set(tokens.filter((t): t is string => t !== null)), '\u0000'];
  const key = (s: Set<number>) => [...s].sort((a, b) => a - b).join(',');
  const start = close(new Set([0]));
  const seen = new Set([key(start)]);
  const queue = [start];
  let max = 0;
  while (queue.length > 0) {
    const states = queue.shift() as Set<number>;
    max = Math.max(max, states.size);
    if (max > WILDCARD_MAX_COMPLEXITY || seen.size > MAX_SUBSETS) return Math.max(max, WILDCARD_MAX_COMPLEXITY + 1);
    for (const ch of alphabet) {
      const next = new Set<number>();
      for (const i of states) {
        if (i >= n) continue;
        const t = tokens[i];
        if (t === null) next.add(i);
        else if (t === ch) next.add(i + 1);
      }
      if (next.size === 0) continue;
      const closed = close(next);
      const k = key(closed);
      if (!seen.has(k)) { seen.add(k); queue.push(closed); }
    }
  }
  return max;
}

export const TOO_COMPLEX = 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';
