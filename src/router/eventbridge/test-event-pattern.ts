// EventBridge's TestEventPattern: whether an event pattern matches an event, by the pattern engine (pure).
import { compilePattern, matches } from '../../events/pattern/index.js';
import { stringMembers, validationError } from '../json-rpc/input.js';

/** TestEventPattern's EventPattern: "Length Constraints: Maximum length of 4096" (API reference). */
export const EVENT_PATTERN_MAX_LENGTH = 4096;

/**
 * The fields an Event must have. The API reference also lists `resources`, but EventBridge accepts an event without
 * it (the AWS CLI's own test-event-pattern example has none; LocalStack's tests recorded against AWS agree).
 */
export const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

/** What AWS answers for an Event that is not JSON, not an object, or lacks a required field. */
export const invalidEvent = () => validationError('Parameter Event is not valid.');

/** The event as an object, or the ValidationException AWS answers. */
export function parseEvent(text: string): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    throw invalidEvent();
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw invalidEvent();
  const fields = event as Record<string, unknown>;
  if (!REQUIRED_EVENT_FIELDS.every((f) => Object.hasOwn(fields, f))) throw invalidEvent();
  return fields;
}

/**
 * `{Result}` for the input's EventPattern and Event. The members' constraints first (ValidationException), then the
 * event (ValidationException), then the pattern (the engine's InvalidEventPatternException with AWS's reason).
 */
export function testEventPattern(input: Record<string, unknown>): { Result: boolean } {
  const members = stringMembers(input, [
    { name: 'EventPattern', required: true, maxLength: EVENT_PATTERN_MAX_LENGTH },
    { name: 'Event', required: true },
  ]);
  const event = parseEvent(members.get('Event')!);
  const pattern = compilePattern(members.get('EventPattern')!, 'eventbridge');
  return { Result: matches(pattern, event) };
}
