// Queue URLs (pure): `<the router's base URL>/<account>/<queue name>`, as SQS's `https://sqs.<region>.amazonaws.com/<account>/<name>`.
import type { ArnContext } from '../../core/arn.js';
import { invalidAddress, queueDoesNotExist, shown } from '../../events/sqs/errors.js';
import type { QueueId } from '../../events/sqs/keys.js';
import type { SqsContext } from './context.js';
import { requiredString, type Input } from './input.js';

export const queueUrl = (baseUrl: string, accountId: string, name: string): string => `${baseUrl.replace(/\/+$/, '')}/${accountId}/${name}`;

const NAME = /^[a-zA-Z0-9_-]{1,80}$/;

/**
 * The queue a QueueUrl names. Only its path is read — `/<account>/<name>` at its end — so a URL handed out with
 * another host (the router behind a proxy) still works; another account's queue does not exist for the caller.
 */
export function queueOfUrl(url: string, ctx: ArnContext): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    throw invalidAddress(`The address ${shown(url)} is not valid for this endpoint.`);
  }
  const parts = path.split('/').filter(Boolean);
  const [account, name] = parts.slice(-2);
  if (parts.length < 2 || !/^\d{12}$/.test(account!)) throw invalidAddress(`The address ${shown(url)} is not valid for this endpoint.`);
  if (account !== ctx.accountId || !NAME.test(name!)) throw queueDoesNotExist();
  return name!;
}

/** The queue of the input's QueueUrl, in the caller's namespace. */
export function queueOf(input: Input, c: Pick<SqsContext, 'namespace' | 'arn'>): QueueId {
  return { namespace: c.namespace, name: queueOfUrl(requiredString(input, 'QueueUrl'), c.arn) };
}
