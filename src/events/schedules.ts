// Scheduled EventRules fire through the inbox: each due tick becomes the rule's Scheduled Event, delivered to that
// rule's targets alone (an inbox entry of kind "rule"), once per tick across every process that runs a scheduler.
import type { ArnContext } from '../core/arn.js';
import type { AsyncClock } from '../core/async-policy.js';
import type { Logger } from '../core/logger.js';
import type { RedisConnection } from '../queue/connection.js';
import type { RuleView } from './contracts.js';
import { ruleArn } from './fanout.js';
import type { EventInbox } from './inbox.js';
import { scheduledEvent, Scheduler, type ScheduledRule } from './schedule/index.js';

export interface ScheduledRuleSource {
  /** Every rule with a schedule, and when it was created (epoch ms; undefined: when this process first saw it). */
  rules(): Array<{ view: RuleView; createdMs?: number }>;
}

/** The scheduler of the rules `source` lists (not started). */
export function rulesScheduler(opts: {
  redis: RedisConnection; keyPrefix: string; inbox: EventInbox; source: ScheduledRuleSource;
  arnFor(namespace: string): ArnContext; clock: AsyncClock; logger: Logger; now?: () => number;
}): Scheduler {
  const now = opts.now ?? Date.now;
  const firstSeen = new Map<string, number>();
  const scheduler = new Scheduler({
    redis: opts.redis, keyPrefix: opts.keyPrefix, clock: opts.clock, logger: opts.logger,
    rules: (): ScheduledRule[] => opts.source.rules()
      .filter(({ view }) => view.spec.scheduleExpression !== undefined)
      .map(({ view, createdMs }) => {
        const key = `${view.namespace}/${view.name}`;
        if (!firstSeen.has(key)) firstSeen.set(key, createdMs ?? now());
        return { key, expression: view.spec.scheduleExpression!, enabled: view.spec.state === 'ENABLED', anchorMs: createdMs ?? firstSeen.get(key)! };
      }),
    fire: async (rule, tickMs) => {
      const slash = rule.key.indexOf('/');
      const namespace = rule.key.slice(0, slash);
      const name = rule.key.slice(slash + 1);
      const arn = opts.arnFor(namespace);
      const event = scheduledEvent({ ruleArn: ruleArn(arn, 'default', name), tickMs, account: arn.accountId, region: arn.region });
      await opts.inbox.add([{ kind: 'rule', namespace, rule: name, event, ingestedAt: now() }]);
    },
  });
  return scheduler;
}
