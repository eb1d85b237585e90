// The pattern engine's one error: a pattern refused, with AWS's reason and each service's error type and wording.
import { KlambdaError } from '../../core/errors.js';

/**
 * Who wrote the pattern: an EventBridge rule, an SNS filter policy (per FilterPolicyScope), or a Lambda event source
 * mapping's filter criteria. They share one grammar and differ in a few operators, limits and error shapes.
 */
export type Dialect = 'eventbridge' | 'sns-attributes' | 'sns-body' | 'esm-filter';

/** SNS words a filter policy's refusal by the call that carried it. */
export type SnsCall = 'SetSubscriptionAttributes' | 'Subscribe';

const AWS_TYPE: Record<Dialect, string> = {
  eventbridge: 'InvalidEventPatternException',
  'sns-attributes': 'InvalidParameterException',
  'sns-body': 'InvalidParameterException',
  'esm-filter': 'InvalidParameterValueException',
};

/**
 * A pattern AWS would refuse. `reason` is the engine's sentence (event-ruler's wording, which EventBridge and SNS
 * return verbatim); `message` is what the service puts on the wire. Lambda hides the reason behind one sentence.
 */
export class PatternError extends KlambdaError {
  constructor(
    readonly dialect: Dialect,
    readonly reason: string,
    /** SNS words a few refusals without the `FilterPolicy:` label (the scope's nesting rule). */
    readonly unlabelled = false,
  ) {
    super(400, AWS_TYPE[dialect], messageOf(dialect, reason, unlabelled, 'SetSubscriptionAttributes'));
  }

  /** SNS's message for the call that carried the policy: Subscribe adds `Attributes Reason:`. */
  snsMessage(call: SnsCall): string {
    return messageOf(this.dialect, this.reason, this.unlabelled, call);
  }
}

function messageOf(dialect: Dialect, reason: string, unlabelled: boolean, call: SnsCall): string {
  switch (dialect) {
    case 'eventbridge':
      return `Event pattern is not valid. Reason: ${reason}`;
    case 'esm-filter':
      return 'Invalid filter pattern definition.';
    default: {
      const lead = call === 'Subscribe' ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
      return unlabelled ? `${lead}${reason}` : `${lead}FilterPolicy: ${reason}`;
    }
  }
}

/** Thrown by the small parsers (numeric, cidr, wildcard) that do not know the dialect; compile wraps it. */
export class ReasonError extends Error {}

export const refuse = (reason: string): never => {
  throw new ReasonError(reason);
};
