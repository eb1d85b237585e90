// EventBridge's ARNs (pure): event buses, rules, and the target ARNs PutTargets takes — a Lambda function (with or
// without a qualifier) or an SNS topic, as the EventRule kind's `function` and `topic` — in the caller's region and account.
import type { ArnContext } from '../../core/arn.js';
import { DEFAULT_EVENT_BUS, type RuleTarget } from '../../api/event-rule.js';

export const busArn = (ctx: ArnContext, bus: string): string => `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${bus}`;

/** A rule on the default bus is `rule/<name>`, on another `rule/<bus>/<name>`. */
export const ruleArn = (ctx: ArnContext, bus: string, name: string): string =>
  `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${bus === DEFAULT_EVENT_BUS ? '' : `${bus}/`}${name}`;

const BUS_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/;
const RULE_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):rule\/(?:([^/]+)\/)?([^/]+)$/;

export interface BusRef {
  /** The bus's name (the default one when absent). */
  name: string;
  /** Named by an ARN of another region or account: no bus of the caller's. */
  foreign: boolean;
  /** The ARN as given, or the caller's ARN of the name. */
  arn: string;
}

/** An EventBusName member (a name or a bus ARN, already checked against the model's pattern). */
export function busRef(nameOrArn: string | undefined, ctx: ArnContext): BusRef {
  if (nameOrArn === undefined) return { name: DEFAULT_EVENT_BUS, foreign: false, arn: busArn(ctx, DEFAULT_EVENT_BUS) };
  const m = BUS_ARN.exec(nameOrArn);
  if (!m) return { name: nameOrArn, foreign: false, arn: busArn(ctx, nameOrArn) };
  return { name: m[3]!, foreign: m[1] !== ctx.region || m[2] !== ctx.accountId, arn: nameOrArn };
}

export interface RuleArnParts { region: string; accountId: string; bus: string; name: string }

export function parseRuleArn(arn: string): RuleArnParts | undefined {
  const m = RULE_ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, bus: m[3] ?? DEFAULT_EVENT_BUS, name: m[4]! } : undefined;
}

export function parseBusArn(arn: string): { region: string; accountId: string; bus: string } | undefined {
  const m = BUS_ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, bus: m[3]! } : undefined;
}

/** What AWS takes as an ARN at all (anything else: "Provided Arn is not in correct format."). */
export const ARN_FORMAT = /^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;

const LAMBDA_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const SNS_ARN = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([^:]+)$/;

export type TargetKind = { function: string } | { topic: string } | { refused: string };

/** The kind's target for a target ARN of the caller's region and account, or why klambda cannot deliver to it. */
export function targetOfArn(arn: string, ctx: ArnContext): TargetKind {
  const lambda = LAMBDA_ARN.exec(arn);
  const sns = lambda ? undefined : SNS_ARN.exec(arn);
  const m = lambda ?? sns;
  if (!m) return { refused: `Target ${arn} is not a kind klambda delivers to: a rule's targets are Lambda functions (arn:aws:lambda:…:function:NAME[:QUALIFIER]) and SNS topics (arn:aws:sns:…:NAME).` };
  if (m[1] !== ctx.region || m[2] !== ctx.accountId) {
    return { refused: `Target ${arn} is not in this region and account (${ctx.region}, ${ctx.accountId}): klambda delivers to its own functions and topics only.` };
  }
  if (lambda) return { function: lambda[4] === undefined ? lambda[3]! : `${lambda[3]}:${lambda[4]}` };
  return { topic: sns![3]! };
}

/** The ARN ListTargetsByRule shows for a target of the kind. */
export function arnOfTarget(t: RuleTarget, ctx: ArnContext): string {
  if (t.topic !== undefined) return `arn:aws:sns:${ctx.region}:${ctx.accountId}:${t.topic}`;
  return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${t.function ?? ''}`;
}
