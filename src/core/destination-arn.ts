// Async destinations both ways: AWS's destination ARNs (Lambda, SQS, SNS, EventBridge) ↔ our Destination (pure).
import type { Destination } from '../api/function.js';
import { functionArn, type ArnContext } from './arn.js';
import { invalidParameter } from './errors.js';

/** AWS's ARN grammar for the four destination services: partition, service, region, account, resource. */
const ARN = /^arn:(aws[a-zA-Z-]*):(lambda|sqs|sns|events):([a-z0-9-]*):(\d{12}):(.+)$/;
const FUNCTION = /^function:([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$/;
/** SQS: 1..80 of letters, digits, - and _ (a FIFO queue ends in .fifo). */
const QUEUE = /^[a-zA-Z0-9_-]{1,80}(\.fifo)?$/;
/** SNS: 1..256 of letters, digits, - and _ (a FIFO topic ends in .fifo). */
const TOPIC = /^[a-zA-Z0-9_-]{1,256}(\.fifo)?$/;
/** EventBridge: event-bus/ and 1..256 of letters, digits, . - _ / (a partner bus has slashes). */
const EVENT_BUS = /^event-bus\/([a-zA-Z0-9._/-]{1,256})$/;

/** A value as echoed in an error message: hostile input is not reflected at full length. */
const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);

const invalid = (arn: string, why: string) => invalidParameter(`The destination ARN ${shown(arn)} is invalid: ${why}`);

/**
 * The Destination an ARN of the caller's region and account names. A Lambda ARN keeps its qualifier
 * (`{function: "audit:live"}`). Anything else — another service, another account or region, a malformed name —
 * is a 400 InvalidParameterValueException: klambda delivers only to its own functions, queues, topics and buses.
 */
export function destinationFromArn(ctx: ArnContext, arn: string): Destination {
  const m = ARN.exec(arn);
  if (!m) throw invalid(arn, 'klambda takes the ARN of a Lambda function, an SQS queue, an SNS topic or an EventBridge event bus');
  const [, , service, region, account, resource] = m as unknown as [string, string, string, string, string, string];
  if (account !== ctx.accountId) throw invalid(arn, `it is in account ${account}; destinations must be in this account (${ctx.accountId})`);
  if (region !== ctx.region) throw invalid(arn, `it is in region '${region}'; destinations must be in this region ('${ctx.region}')`);
  switch (service) {
    case 'lambda': {
      const f = FUNCTION.exec(resource);
      if (!f) throw invalid(arn, 'a function ARN ends in function:NAME or function:NAME:QUALIFIER');
      return { function: f[2] === undefined ? f[1]! : `${f[1]!}:${f[2]}` };
    }
    case 'sqs':
      if (!QUEUE.test(resource)) throw invalid(arn, 'a queue name is 1 to 80 letters, digits, - or _');
      return { queue: resource };
    case 'sns':
      if (!TOPIC.test(resource)) throw invalid(arn, 'a topic name is 1 to 256 letters, digits, - or _');
      return { topic: resource };
    default: {
      const b = EVENT_BUS.exec(resource);
      if (!b) throw invalid(arn, 'an event bus ARN ends in event-bus/NAME');
      return { eventBus: b[1]! };
    }
  }
}

/**
 * The ARN of a Destination, in the caller's region and account. A destination a manifest already wrote as an ARN
 * is given back as written.
 */
export function destinationArn(ctx: ArnContext, d: Destination): string {
  const asIs = (v: string, build: () => string) => (v.startsWith('arn:') ? v : build());
  if (d.function !== undefined) {
    const f = d.function;
    const colon = f.indexOf(':');
    return asIs(f, () => (colon < 0 ? functionArn(ctx, f) : functionArn(ctx, f.slice(0, colon), f.slice(colon + 1))));
  }
  if (d.queue !== undefined) return asIs(d.queue, () => `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${d.queue}`);
  if (d.topic !== undefined) return asIs(d.topic, () => `arn:aws:sns:${ctx.region}:${ctx.accountId}:${d.topic}`);
  if (d.eventBus !== undefined) return asIs(d.eventBus, () => `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${d.eventBus}`);
  throw new Error('a destination needs one of function, queue, topic or eventBus');
}
