// What EventBridge refuses in a target's input when PutTargets takes it (pure): more than one kind of input, an Input
// that is not JSON, a path it cannot read, a template naming a variable nobody defined or a JSON template that is not JSON.
import { isJson } from '../../api/validate.js';
import type { InputTransformer } from '../../api/event-rule.js';
import { PLACEHOLDER, PREDEFINED_VARIABLES, isJsonTemplate } from './input.js';
import { parseJsonPath } from './json-path.js';

export interface TargetInputs {
  id: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: InputTransformer;
}

const PREDEFINED: ReadonlySet<string> = new Set(PREDEFINED_VARIABLES);


/** The ValidationException message EventBridge answers for this target's input, or undefined when it takes it. */
export function targetInputProblem(t: TargetInputs): string | undefined {
  const kinds = [t.input, t.inputPath, t.inputTransformer].filter((v) => v !== undefined).length;
  if (kinds > 1) return `Only one of Input, InputPath, or InputTransformer must be provided for target ${t.id}.`;
  if (t.input !== undefined && !isJson(t.input)) return `Input for target ${t.id} is not a valid JSON text.`;
  if (t.inputPath !== undefined && !parseJsonPath(t.inputPath)) return `InputPath for target ${t.id} is not a valid JSON path: ${t.inputPath}.`;
  if (t.inputTransformer !== undefined) return transformerProblem(t.id, t.inputTransformer);
  return undefined;
}

function transformerProblem(id: string, tr: InputTransformer): string | undefined {
  const paths = tr.inputPathsMap ?? {};
  for (const [name, path] of Object.entries(paths)) {
    if (!parseJsonPath(path)) return `InputPathsMap for target ${id} has an invalid JSON path for ${name}: ${path}.`;
  }
  for (const m of tr.inputTemplate.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!Object.hasOwn(paths, name) && !PREDEFINED.has(name)) return `InputTemplate for target ${id} contains invalid placeholder ${name}.`;
  }
  // a JSON template must stay JSON whatever the variables hold: try it with each one as a value
  if (isJsonTemplate(tr.inputTemplate) && !isJson(tr.inputTemplate.replace(PLACEHOLDER, '0'))) {
    return `InputTemplate for target ${id} is not a valid JSON text.`;
  }
  return undefined;
}
