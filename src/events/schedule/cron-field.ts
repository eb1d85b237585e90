// One cron field's plain values: numbers, names, `*`, ranges `a-b` (wrapping round on cyclic fields), lists and
// increments `a/n`, `*/n`, `a-b/n`. Pure; refusals name the field and say what is wrong.
import { quoted, refuse } from './errors.js';

export interface FieldDef {
  /** As AWS's documentation names the field. */
  name: string;
  min: number;
  max: number;
  /** Names standing for min, min+1, … (JAN-DEC, SUN-SAT). */
  names?: readonly string[];
  /** Largest increment (Quartz's limits, which EventBridge's cron follows). */
  maxStep: number;
  /** Whether a range may wrap round (22-2 = 22,23,0,1,2; FRI-MON); not years. */
  cyclic: boolean;
}

export const MINUTES: FieldDef = { name: 'minutes', min: 0, max: 59, maxStep: 59, cyclic: true };
export const HOURS: FieldDef = { name: 'hours', min: 0, max: 23, maxStep: 23, cyclic: true };
export const DAY_OF_MONTH: FieldDef = { name: 'day-of-month', min: 1, max: 31, maxStep: 31, cyclic: true };
export const MONTH: FieldDef = {
  name: 'month', min: 1, max: 12, maxStep: 12, cyclic: true,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
};
/** 1 = Sunday … 7 = Saturday. */
export const DAY_OF_WEEK: FieldDef = { name: 'day-of-week', min: 1, max: 7, maxStep: 7, cyclic: true, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };
export const YEAR: FieldDef = { name: 'year', min: 1970, max: 2199, maxStep: 229, cyclic: false };

const fail = (def: FieldDef, whole: string, why: string): never => refuse(`${def.name} ${quoted(whole)}: ${why}`);

/** The values `text` selects, ascending, without repeats. */
export function fieldValues(text: string, def: FieldDef): number[] {
  const out = new Set<number>();
  for (const item of text.split(',')) addItem(item, text, def, out);
  return [...out].sort((a, b) => a - b);
}

function addItem(item: string, whole: string, def: FieldDef, out: Set<number>): void {
  if (item === '') fail(def, whole, 'a list holds an empty value');
  const parts = item.split('/');
  if (parts.length > 2) fail(def, whole, `${quoted(item)} has more than one /`);
  const [range = '', stepText] = parts;
  const step = stepText === undefined ? 1 : stepOf(stepText, item, whole, def);
  let from: number;
  let to: number;
  if (range === '*') {
    from = def.min;
    to = def.max;
  } else {
    const ends = range.split('-');
    if (ends.length > 2) fail(def, whole, `${quoted(item)} is not a range a-b`);
    from = fieldValue(ends[0] ?? '', whole, def);
    // `a/n` runs from a to the end of the field
    to = ends[1] !== undefined ? fieldValue(ends[1], whole, def) : stepText !== undefined ? def.max : from;
  }
  const span = def.max - def.min + 1;
  if (to < from) {
    if (!def.cyclic) fail(def, whole, `the range ${range} runs backwards`);
    to += span;
  }
  for (let v = from; v <= to; v += step) out.add(v > def.max ? v - span : v);
}

function stepOf(text: string, item: string, whole: string, def: FieldDef): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= def.maxStep)) fail(def, whole, `the increment in ${quoted(item)} must be a number from 1 to ${def.maxStep}`);
  return n;
}

/** One value of the field: a number in range or a name; anything else refused with what it is. */
export function fieldValue(token: string, whole: string, def: FieldDef): number {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < def.min || n > def.max) fail(def, whole, `${token} is out of range ${def.min}-${def.max}`);
    return n;
  }
  const named = def.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return def.min + named;
  return fail(def, whole, notAValue(token, def));
}

/** Why a token is not a value here: a special character out of its place, or simply not a value of the field. */
function notAValue(token: string, def: FieldDef): string {
  const t = token.toUpperCase();
  const dom = def === DAY_OF_MONTH;
  const dow = def === DAY_OF_WEEK;
  if (token === '') return 'a value is missing';
  if (t.includes('?')) return '? stands alone in day-of-month or day-of-week: it means no value';
  if (t.includes('#')) return dow ? `${token}: # takes one day alone (e.g. 3#2 or MON#1), not in a list or range` : '# is only allowed in day-of-week';
  if (/^(\d+|L)W$/.test(t)) return dom ? `${token}: W takes one day alone (e.g. 15W or LW), not in a list or range` : 'W is only allowed in day-of-month';
  if (/^((\d+|SUN|MON|TUE|WED|THU|FRI|SAT)?L|L-\d+)$/.test(t)) {
    return dom || dow ? `${token}: L stands alone (L, L-3, LW in day-of-month; L or 6L in day-of-week), not in a list or range` : 'L is only allowed in day-of-month and day-of-week';
  }
  const names = def.names ? ` or ${def.names[0]}-${def.names[def.names.length - 1]}` : '';
  return `${quoted(token)} is not a ${def.name === 'minutes' || def.name === 'hours' ? def.name.slice(0, -1) : def.name} (${def.min}-${def.max}${names})`;
}
