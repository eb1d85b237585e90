// Who is calling: the access key a request was signed with (or the local mode's anonymous caller), attached to the request.
import type { IncomingMessage } from 'node:http';
import type { PolicyDocument } from '../../core/iam-policy.js';

/** An access key as a key store holds it: its secret, the namespace (account) it grants, and its policy if any. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Shown in AccessDenied messages as arn:aws:iam::ACCOUNT:user/NAME: the Secret's name, or the profile's. */
  userName: string;
  namespace: string;
  accountId: string;
  /** No policy: every action on the namespace's own functions. */
  policy?: PolicyDocument;
}

export interface KeyStore {
  find(accessKeyId: string): AccessKey | undefined;
}

export interface Principal {
  namespace: string;
  accountId: string;
  /** arn:aws:iam::ACCOUNT:user/NAME */
  userArn: string;
  accessKeyId?: string;
  policy?: PolicyDocument;
}

export const userArn = (accountId: string, userName: string): string => `arn:aws:iam::${accountId}:user/${userName}`;

export function principalOfKey(key: AccessKey): Principal {
  const p: Principal = { namespace: key.namespace, accountId: key.accountId, userArn: userArn(key.accountId, key.userName), accessKeyId: key.accessKeyId };
  if (key.policy) p.policy = key.policy;
  return p;
}

/** The local mode without --auth: the one namespace, full access. */
export const anonymousPrincipal = (namespace: string, accountId: string): Principal =>
  ({ namespace, accountId, userArn: userArn(accountId, 'anonymous') });

const principals = new WeakMap<IncomingMessage, Principal>();

export function setPrincipal(req: IncomingMessage, principal: Principal): void {
  principals.set(req, principal);
}

export function principalOf(req: IncomingMessage): Principal | undefined {
  return principals.get(req);
}
