// The S3 object-event webhook: `POST /_klambda/s3-events/<namespace>/<token>`, where an S3-compatible server (versitygw's
// --event-webhook-url, MinIO's or Ceph RGW's HTTP endpoint) posts its event notifications. A public route (before
// auth): the namespace's token in the URL is the proof, since such a server can only be given a URL. Each record is
// in the event inbox before the 200, so nothing accepted is lost; a refusal writes nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { forbidden, invalidContent, KlambdaError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { EventInbox, InboxEntry } from '../../events/inbox.js';
import { readWebhookBody } from '../../events/s3/records.js';
import type { RouteInstaller } from '../app.js';
import { readBody } from '../body.js';

export const S3_EVENTS_PATH = '/_klambda/s3-events';
/** A post carries one record (versitygw) or a few (MinIO, Ceph): far below this. */
const MAX_BODY = 1024 * 1024;

export interface S3EventsDeps {
  /** The namespace's webhook token (locally the folder's; on a cluster the Secret klambda-s3-events, key `token`), or undefined: none accepted. */
  tokenFor(namespace: string): Promise<string | undefined> | string | undefined;
  inbox: Pick<EventInbox, 'add'>;
  logger: Logger;
  now?: () => number;
}

/** Whether `given` is the token, in time that does not depend on where they differ (both hashed to one length first). */
export function sameToken(given: string, token: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(token)) && token.length > 0;
}

/** The webhook's URL path for a namespace and token. */
export const s3EventsPath = (namespace: string, token: string) => `${S3_EVENTS_PATH}/${encodeURIComponent(namespace)}/${encodeURIComponent(token)}`;

export function s3EventRoutes(deps: S3EventsDeps): RouteInstaller {
  const now = deps.now ?? Date.now;
  return (app: Express) => {
    app.post(`${S3_EVENTS_PATH}/:namespace/:token`, async (req: Request, res: Response) => {
      const namespace = String(req.params.namespace);
      const token = await deps.tokenFor(namespace);
      if (token === undefined || !sameToken(String(req.params.token), token)) {
        throw forbidden('The S3 event webhook token is not valid for this namespace');
      }
      // ?keys=raw|url says how the sender writes keys, where its records do not show it (see records.ts)
      const keys = req.query.keys === 'raw' || req.query.keys === 'url' ? req.query.keys : undefined;
      if (req.query.keys !== undefined && keys === undefined) throw invalidContent('keys must be raw or url');
      const body = readWebhookBody((await readBody(req, MAX_BODY)).toString('utf8'), keys);
      if (body.kind === 'invalid') throw invalidContent(body.message);
      if (body.kind === 'test') {
        res.status(200).json({ accepted: 0 });
        return;
      }
      const ingestedAt = now();
      const entries: InboxEntry[] = body.records.map((record) => ({ kind: 'object', namespace, record, ingestedAt }));
      try {
        await deps.inbox.add(entries);
      } catch (err) {
        // some may be held: the sender (if it retries) posts them again, and their ids repeat
        deps.logger.error({ msg: 'S3 object events not accepted: the event inbox could not be written', namespace, records: entries.length, error: String(err) });
        throw new KlambdaError(503, 'ServiceUnavailableException', 'The object events could not be stored; send them again');
      }
      deps.logger.info({ msg: 'S3 object events accepted', namespace, records: body.records.map((r) => `${r.eventName} ${r.bucket}/${r.key}`) });
      res.status(200).json({ accepted: entries.length });
    });
  };
}
