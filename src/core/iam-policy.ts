// A small IAM-style identity policy per access key: Allow/Deny statements on actions and resource ARNs with * and ? (pure).

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  /** e.g. lambda:InvokeFunction, lambda:Get*, lambda:* — matched case-insensitively, as IAM does. */
  Action: string[];
  /** ARN patterns with * and ?, matched case-sensitively; "*" is every resource. */
  Resource: string[];
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** A policy klambda cannot read, with a message that says where. */
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'Resource']);

function strings(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v): v is string => typeof v === 'string' && v !== '')) {
    throw new PolicyError(`${where} must be a non-empty string or list of strings`);
  }
  return list;
}

function statement(raw: unknown, i: number): PolicyStatement {
  const where = `Statement[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PolicyError(`${where} must be an object`);
  const s = raw as Record<string, unknown>;
  // a Condition, NotAction or Principal we ignored would grant more than the author meant: refuse instead
  for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) throw new PolicyError(`${where}.${k} is not supported (klambda policies have Sid, Effect, Action, Resource)`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError(`${where}.Effect must be "Allow" or "Deny"`);
  const actions = strings(s.Action, `${where}.Action`);
  for (const a of actions) if (a !== '*' && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(a)) throw new PolicyError(`${where}.Action '${a}' is not service:Action`);
  const out: PolicyStatement = { Effect: s.Effect, Action: actions, Resource: strings(s.Resource, `${where}.Resource`) };
  if (typeof s.Sid === 'string') out.Sid = s.Sid;
  return out;
}

/** Checks a policy document (the JSON IAM uses; Statement may be one object or a list). */
export function parsePolicy(raw: unknown): PolicyDocument {
  const value = typeof raw === 'string' ? parseJson(raw) : raw;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyError('a policy must be a JSON object with a Statement');
  const doc = value as Record<string, unknown>;
  for (const k of Object.keys(doc)) if (k !== 'Version' && k !== 'Statement' && k !== 'Id') throw new PolicyError(`${k} is not supported in a policy (Version, Statement)`);
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') throw new PolicyError(`Version must be "2012-10-17", got ${JSON.stringify(doc.Version)}`);
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  if (list.length === 0) throw new PolicyError('a policy needs at least one Statement');
  const out: PolicyDocument = { Statement: list.map(statement) };
  if (typeof doc.Version === 'string') out.Version = doc.Version;
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`the policy is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const patterns = new Map<string, RegExp>();

/** IAM's wildcards: * any run of characters (also none), ? exactly one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const id = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = patterns.get(id);
  if (re === undefined) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(id, re);
  }
  return re.test(value);
}

/** IAM's evaluation for one identity policy: an explicit Deny wins, then any Allow, else an implicit deny. */
export function evaluate(policy: PolicyDocument, action: string, resource: string): Decision {
  let allowed = false;
  for (const s of policy.Statement) {
    if (!s.Action.some((a) => wildcardMatch(a, action, true))) continue;
    if (!s.Resource.some((r) => wildcardMatch(r, resource))) continue;
    if (s.Effect === 'Deny') return 'ExplicitDeny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/** No policy means every action within the key's own account. */
export const isAllowed = (policy: PolicyDocument | undefined, action: string, resource: string): boolean =>
  policy === undefined || evaluate(policy, action, resource) === 'Allow';
