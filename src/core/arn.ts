// Function names as AWS accepts them: name, name:qualifier, partial ARN and full ARN; and the ARNs we hand out.
import { invalidParameter } from './errors.js';

export interface ArnContext {
  region: string;
  accountId: string;
}

export interface FunctionNameRef {
  name: string;
  qualifier?: string;
}

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9-_]{1,128})$/;

/** Parses the FunctionName path parameter and the Qualifier query parameter of the Lambda API. */
export function parseFunctionName(raw: string, queryQualifier?: string): FunctionNameRef {
  let rest = raw;
  const full = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:(.+)$/.exec(raw);
  const partial = /^\d{12}:function:(.+)$/.exec(raw);
  if (full) rest = full[1]!;
  else if (partial) rest = partial[1]!;
  else if (raw.startsWith('arn:')) throw invalidParameter(`1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: not a Lambda function ARN`);
  const parts = rest.split(':');
  if (parts.length > 2) throw invalidParameter(`Invalid function name: ${raw}`);
  const name = parts[0]!;
  const fromName = parts[1];
  if (!NAME.test(name)) {
    throw invalidParameter(`1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  }
  const qualifier = queryQualifier === '' ? undefined : queryQualifier;
  if (fromName !== undefined && qualifier !== undefined && fromName !== qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const q = fromName ?? qualifier;
  if (q !== undefined && !QUALIFIER.test(q)) throw invalidParameter(`Invalid qualifier: ${q}`);
  return q === undefined ? { name } : { name, qualifier: q };
}

export function functionArn(ctx: ArnContext, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}
