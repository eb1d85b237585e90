// The S3 event webhook's tokens on a cluster: the `token` key of each namespace's Secret `klambda-s3-events`, kept in
// memory by an informer (the router already reads Secrets for its access keys), so a post never waits for the API server.
import type { Logger } from '../../core/logger.js';
import type { KubeClient } from '../../kube/client.js';
import { Informer } from '../../kube/informer.js';
import type { SecretObject } from '../auth/secret-keys.js';

export const S3_EVENTS_SECRET = 'klambda-s3-events';

/** The token a Secret holds (`data.token`, base64 as the API server returns it), or undefined when it holds none (pure). */
export function tokenOfSecret(secret: SecretObject | undefined): string | undefined {
  const v = secret?.data?.token;
  if (v === undefined) return undefined;
  const token = Buffer.from(v, 'base64').toString('utf8').trim();
  // a token anyone could guess is no proof: too short ones are ignored (the namespace accepts no object events)
  return token.length >= 16 ? token : undefined;
}

export class SecretS3EventTokens {
  private readonly secrets: Informer<SecretObject>;

  constructor(client: KubeClient, logger: Logger, resyncMs = 5 * 60_000) {
    this.secrets = new Informer<SecretObject>(client, {
      path: '/api/v1/secrets', fieldSelector: `metadata.name=${S3_EVENTS_SECRET}`, resyncMs, logger, onChange: () => undefined,
    });
  }

  start(): void { this.secrets.start(); }
  stop(): Promise<void> { return this.secrets.stop(); }

  /** The namespace's token, or undefined (no Secret, or no usable token in it): its posts are refused. */
  tokenFor(namespace: string): string | undefined {
    return tokenOfSecret(this.secrets.get(`${namespace}/${S3_EVENTS_SECRET}`));
  }
}
