// Function names as AWS accepts them: name, name:qualifier, partial ARN and full ARN; and the ARNs we hand out.
import { forbidden, invalidParameter, notFound } from './errors.js';

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
/** AWS's length limit of the FunctionName parameter (a full ARN with a qualifier). */
export const FUNCTION_NAME_MAX = 170;
const FULL_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:(.+)$/;
const PARTIAL_ARN = /^(\d{12}):function:(.+)$/;

/** A value as echoed in an error message: hostile input is not reflected at full length. */
const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);

const patternError = (raw: string) => invalidParameter(`1 validation error detected: Value '${shown(raw)}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);

/**
 * Parses the FunctionName path parameter and the Qualifier query parameter of the Lambda API, as a caller in
 * `ctx` (its region and account) names it. An ARN of another account is refused as AWS refuses a cross-account
 * call no resource-based policy allows (403 AccessDeniedException, naming `action`); an ARN of another region is
 * not reachable (404 ResourceNotFoundException, AWS's message).
 */
export function parseFunctionName(raw: string, queryQualifier: string | undefined, ctx: ArnContext, action = 'lambda:InvokeFunction'): FunctionNameRef {
  if (raw.length > FUNCTION_NAME_MAX) {
    throw invalidParameter(`1 validation error detected: Value '${shown(raw)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to ${FUNCTION_NAME_MAX}`);
  }
  let rest = raw;
  let account: string | undefined;
  let region: string | undefined;
  const full = FULL_ARN.exec(raw);
  const partial = PARTIAL_ARN.exec(raw);
  if (full) [region, account, rest] = [full[1]!, full[2]!, full[3]!];
  else if (partial) [account, rest] = [partial[1]!, partial[2]!];
  else if (raw.startsWith('arn:')) throw invalidParameter(`1 validation error detected: Value '${shown(raw)}' at 'functionName' failed to satisfy constraint: not a Lambda function ARN`);
  const parts = rest.split(':');
  if (parts.length > 2) throw invalidParameter(`Invalid function name: ${shown(raw)}`);
  const name = parts[0]!;
  const fromName = parts[1];
  if (!NAME.test(name)) throw patternError(raw);
  if (account !== undefined && account !== ctx.accountId) {
    const resource = full ? raw : `arn:aws:lambda:${ctx.region}:${raw}`;
    throw forbidden(`User is not authorized to perform: ${action} on resource: ${resource} because no resource-based policy allows the ${action} action`);
  }
  if (region !== undefined && region !== ctx.region) throw notFound(`Functions from '${region}' are not reachable in this region ('${ctx.region}')`);
  const qualifier = queryQualifier === '' ? undefined : queryQualifier;
  if (fromName !== undefined && qualifier !== undefined && fromName !== qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const q = fromName ?? qualifier;
  if (q !== undefined && !QUALIFIER.test(q)) {
    throw invalidParameter(`1 validation error detected: Value '${shown(q)}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`);
  }
  return q === undefined ? { name } : { name, qualifier: q };
}

export function functionArn(ctx: ArnContext, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}
