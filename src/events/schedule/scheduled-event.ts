// The event a schedule puts on the default bus at each tick, as EventBridge sends it to a scheduled rule's targets.
import { derivedRequestId } from '../../dispatcher/dispatcher.js';
import type { BusEvent } from '../contracts.js';

export interface ScheduledEventInput {
  ruleArn: string;
  /** The tick (epoch ms): the event's `time`, to the second. */
  tickMs: number;
  account: string;
  region: string;
  /** Defaults to scheduledEventId(ruleArn, tickMs). */
  id?: string;
}

/** A UUID-shaped id from the rule and the tick, so a tick fired again after a crash carries the same id. */
export const scheduledEventId = (ruleArn: string, tickMs: number): string => derivedRequestId(ruleArn, `scheduled-event:${tickMs}`);

/** `{"version":"0","detail-type":"Scheduled Event","source":"aws.events",…,"resources":[ruleArn],"detail":{}}` */
export function scheduledEvent(input: ScheduledEventInput): BusEvent {
  return {
    version: '0',
    id: input.id ?? scheduledEventId(input.ruleArn, input.tickMs),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: input.account,
    // EventBridge writes the time to the second: 2019-10-08T16:53:06Z
    time: new Date(input.tickMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: input.region,
    resources: [input.ruleArn],
    detail: {},
  };
}
