// The EventBridge operations the router serves, by their X-Amz-Target name (AWSEvents.<name>).
import { EVENTBRIDGE } from '../../core/json-targets.js';
import type { JsonApiRoutes } from '../json-rpc/dispatch.js';
import { testEventPattern } from './test-event-pattern.js';

/** Each name is also an operation of core's EVENTBRIDGE, where its IAM action is. */
export function eventBridgeApi(): JsonApiRoutes {
  return {
    api: EVENTBRIDGE,
    targets: {
      TestEventPattern: (input) => testEventPattern(input),
    },
  };
}
