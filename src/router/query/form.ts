// The query protocol's request: a form-encoded body of flat parameters, and the nesting its names spell
// (`Tags.member.1.Key`, `Attributes.entry.1.key`, `MessageAttributes.entry.1.Value.DataType`) read back (pure).
import { KlambdaError } from '../../core/errors.js';
import type { QueryParams } from '../../core/query-apis.js';

/**
 * The form's parameters (`+` and percent-escapes decoded, invalid UTF-8 as U+FFFD). A name given twice is refused: the
 * authorization and the operation must not read different values of one parameter.
 */
export function parseForm(body: Buffer | string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
    if (params.has(name)) throw malformed(`The parameter ${shown(name)} is given more than once.`);
    params.set(name, value);
  }
  return params;
}

const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);

/** A form the query protocol cannot read (AWS's query APIs: MalformedQueryString). */
export const malformed = (message: string): KlambdaError => new KlambdaError(400, 'MalformedQueryString', message);

/** The parameters whose names start with `prefix.`, under the rest of their names. */
export function under(params: QueryParams, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  const head = `${prefix}.`;
  for (const [name, value] of params) if (name.startsWith(head)) out.set(name.slice(head.length), value);
  return out;
}

const INDEX = /^[1-9][0-9]{0,5}$/;

/**
 * The numbered items of `prefix.<element>.N.…` in order of N, each as its own parameters (`Key`, `Value.DataType`, or
 * '' for an item that is a bare value): a list's `member`s, a map's `entry`s. `prefix=` with nothing after it is the
 * empty list the SDKs send for `[]`. Undefined when the parameter is absent altogether.
 */
export function items(params: QueryParams, prefix: string, element: 'member' | 'entry'): Array<Map<string, string>> | undefined {
  const byIndex = new Map<number, Map<string, string>>();
  const head = `${prefix}.${element}.`;
  let present = params.has(prefix);
  for (const [name, value] of params) {
    if (!name.startsWith(head)) {
      if (name.startsWith(`${prefix}.`)) throw malformed(`The parameter ${shown(name)} is not a ${element} of ${prefix} (${prefix}.${element}.N…).`);
      continue;
    }
    present = true;
    const rest = name.slice(head.length);
    const dot = rest.indexOf('.');
    const index = dot < 0 ? rest : rest.slice(0, dot);
    if (!INDEX.test(index)) throw malformed(`The parameter ${shown(name)} has no valid ${element} number (1, 2, 3…).`);
    const n = Number(index);
    let item = byIndex.get(n);
    if (!item) byIndex.set(n, (item = new Map()));
    item.set(dot < 0 ? '' : rest.slice(dot + 1), value);
  }
  if (!present) return undefined;
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => item);
}

/** A list of strings: `prefix.member.N`. */
export function stringList(params: QueryParams, prefix: string): string[] | undefined {
  return items(params, prefix, 'member')?.map((item) => item.get('') ?? '');
}

/**
 * A map of strings: `prefix.entry.N.key` / `.value` (names as the API's model spells them). An entry without its key
 * is refused; one without a value maps its key to ''.
 */
export function stringMap(params: QueryParams, prefix: string, keyName = 'key', valueName = 'value'): Map<string, string> | undefined {
  const entries = items(params, prefix, 'entry');
  if (!entries) return undefined;
  const out = new Map<string, string>();
  entries.forEach((entry, i) => {
    const key = entry.get(keyName);
    if (key === undefined) throw malformed(`${prefix}.entry.${i + 1} has no ${keyName}.`);
    out.set(key, entry.get(valueName) ?? '');
  });
  return out;
}
