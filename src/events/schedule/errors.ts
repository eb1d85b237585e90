// The schedule parser's one error: an expression EventBridge would refuse, with the reason it does not give.
import { KlambdaError } from '../../core/errors.js';

/** PutRule's whole answer to any schedule it refuses (ValidationException, 400): it never says why. */
export const SCHEDULE_EXPRESSION_NOT_VALID = 'Parameter ScheduleExpression is not valid.';

/**
 * A schedule expression EventBridge refuses. `message` is PutRule's (what goes on the wire); `reason` says what is
 * wrong, for manifests, the controller's status and logs.
 */
export class ScheduleError extends KlambdaError {
  constructor(readonly reason: string) {
    super(400, 'ValidationException', SCHEDULE_EXPRESSION_NOT_VALID);
  }
}

export const refuse = (reason: string): never => {
  throw new ScheduleError(reason);
};

/** A value quoted for a reason, cut short as the manifest checks cut theirs. */
export function quoted(text: string): string {
  const s = JSON.stringify(text);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
