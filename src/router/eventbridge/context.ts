// What an EventBridge operation works with — the caller's namespace of rules and buses, its ARNs, its clock and ids —
// and the errors EventBridge answers with, in its words.
import { randomUUID } from 'node:crypto';
import type { ArnContext } from '../../core/arn.js';
import { KlambdaError } from '../../core/errors.js';
import type { EventBusBackend } from '../../events/contracts.js';
import type { Principal } from '../auth/principal.js';
import { validationError } from '../json-rpc/input.js';

/** ListEventBuses needs every bus of the namespace; EventBusBackend has no such call yet (see listBuses). */
export interface BusListing {
  /** The buses the namespace's rules name (`default` need not be among them). */
  listBuses(): Promise<string[]>;
}

export interface EventBridgeContext {
  backend: EventBusBackend & Partial<BusListing>;
  arn: ArnContext;
  /** Who calls (absent in tests without auth): its namespace names new rules, its policy is checked per PutEvents entry. */
  principal?: Principal;
  namespace: string;
  now: () => Date;
  newId: () => string;
  /** The X-Amzn-Trace-Id the request's events carry to their function targets (router/tracing), if any. */
  traceId?: string;
}

export const defaultClock = (): Date => new Date();
export const defaultIds = (): string => randomUUID();

export const ruleNotFound = (name: string, bus: string): KlambdaError =>
  new KlambdaError(400, 'ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);

export const busNotFound = (bus: string): KlambdaError => new KlambdaError(400, 'ResourceNotFoundException', `Event bus ${bus} does not exist.`);

/** More targets than a rule takes (AWS: LimitExceededException, its generic words). */
export const limitExceeded = (): KlambdaError =>
  new KlambdaError(400, 'LimitExceededException', 'The requested resource exceeds the maximum number allowed.');

export { validationError };

/** A NextToken this router did not give out. */
export const invalidNextToken = (): KlambdaError => validationError('The NextToken provided is invalid.');
