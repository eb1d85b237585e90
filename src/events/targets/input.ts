// A rule target's input as EventBridge builds it from a matched event (pure): the whole event by default, `input` as is,
// the part of the event `inputPath` reaches, or an input transformer's template with its variables filled in.
import type { RuleTarget, InputTransformer } from '../../api/event-rule.js';
import type { BusEvent } from '../contracts.js';
import { evaluateJsonPath, parseJsonPath } from './json-path.js';

/** Variables EventBridge defines itself; an InputPathsMap key cannot take these names (its keys hold no '.'). */
export const PREDEFINED_VARIABLES = [
  'aws.events.rule-arn', 'aws.events.rule-name', 'aws.events.event.ingestion-time', 'aws.events.event', 'aws.events.event.json',
] as const;

/** `<name>` in a template: a variable of the InputPathsMap (letters, digits, '_', '-') or a predefined one. */
export const PLACEHOLDER = /<([A-Za-z0-9_\-.]+)>/g;

export interface RuleRef { arn: string; name: string }

/** The text sent to the target for `event`; `ingestionTime` is when EventBridge took the event in (ISO 8601). */
export function targetInput(event: BusEvent, target: RuleTarget, rule: RuleRef, ingestionTime: string): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) {
    const path = parseJsonPath(target.inputPath);
    // PutTargets and the manifest checks refuse such a path: an old object that holds one sends nothing of the event
    const value = path ? evaluateJsonPath(path, event) : undefined;
    return JSON.stringify(value === undefined ? null : value);
  }
  if (target.inputTransformer !== undefined) return renderTemplate(target.inputTransformer, variables(event, target.inputTransformer, rule, ingestionTime));
  return JSON.stringify(event);
}

/** Each variable's value (undefined: its path reaches nothing in the event). */
export function variables(event: BusEvent, transformer: InputTransformer, rule: RuleRef, ingestionTime: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [name, text] of Object.entries(transformer.inputPathsMap ?? {})) {
    const path = parseJsonPath(text);
    out.set(name, path ? evaluateJsonPath(path, event) : undefined);
  }
  const { detail: _detail, ...withoutDetail } = event;
  out.set('aws.events.rule-arn', rule.arn);
  out.set('aws.events.rule-name', rule.name);
  out.set('aws.events.event.ingestion-time', ingestionTime);
  out.set('aws.events.event', withoutDetail);
  out.set('aws.events.event.json', event);
  return out;
}

/** A JSON template is an object or a list; anything else (a quoted string, plain text) takes every value as text. */
export const isJsonTemplate = (template: string): boolean => /^\s*[{[]/.test(template);

/**
 * The template with each known `<name>` replaced, by AWS's rules: in a JSON template a variable in a value position
 * becomes that value as JSON (a string with its quotes and escapes; a missing one `null`); a variable inside a string
 * of the template, or anywhere in a template that is not JSON, becomes its text as is — not escaped, as EventBridge
 * does not escape it — with the quotes of an object or list taken out (a missing one: nothing). An unknown name is
 * left as written (PutTargets refuses it).
 */
export function renderTemplate(transformer: InputTransformer, values: Map<string, unknown>): string {
  const template = transformer.inputTemplate;
  const json = isJsonTemplate(template);
  const inString = json ? stringSpans(template) : undefined;
  return template.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    if (!values.has(name)) return whole;
    const value = values.get(name);
    if (json && !inString!(offset)) return value === undefined ? 'null' : JSON.stringify(value);
    return asText(value);
  });
}

/** A value as the text EventBridge puts inside a string: no quotes around a string, none inside an object or list. */
export function asText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value).replace(/"/g, '');
  return JSON.stringify(value);
}

/** For a JSON template: whether an offset lies inside one of its string literals (escaped quotes do not end one). */
function stringSpans(template: string): (offset: number) => boolean {
  const inside = new Uint8Array(template.length);
  let open = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (open) {
      inside[i] = 1;
      if (c === '\\') { inside[i + 1] = 1; i++; continue; }
      if (c === '"') open = false;
    } else if (c === '"') {
      open = true;
    }
  }
  return (offset) => inside[offset] === 1;
}
