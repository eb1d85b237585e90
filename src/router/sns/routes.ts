// The router's SNS API: a form-encoded `POST /` (the query protocol, as the SDKs and the AWS CLI send it) dispatched by
// its Action to the operations, answered in SNS's XML. Any other `POST /` (a JSON API's, with X-Amz-Target) passes on.
import type { Express, NextFunction, Request, Response } from 'express';
import type { ArnContext } from '../../core/arn.js';
import { newRequestId } from '../../core/ids.js';
import { carriedTraceHeader } from '../../tracing/request-spans.js';
import type { Logger } from '../../core/logger.js';
import { queryAction, SNS } from '../../core/query-apis.js';
import type { TopicBackend } from '../../events/contracts.js';
import type { RouteInstaller } from '../app.js';
import { sendXml } from '../aws-response.js';
import { principalOf, userArn } from '../auth/principal.js';
import { readBody } from '../body.js';
import { isQueryRequest } from '../json-rpc/dispatch.js';
import { parseForm } from '../query/form.js';
import { responseXml } from '../query/xml.js';
import { messageTooLong } from './message-checks.js';
import { SNS_OPERATIONS } from './operations.js';
import type { SnsContext } from './params.js';

/**
 * Room for what SNS accepts: 256 KB of message and attributes, every byte percent-encoded (3 characters), plus the
 * parameter names of a 10-entry batch. A larger body cannot hold a message SNS would take.
 */
export const MAX_QUERY_BODY = 1024 * 1024;

async function readParams(req: Request): Promise<Map<string, string>> {
  try {
    return parseForm(await readBody(req, MAX_QUERY_BODY));
  } catch (err) {
    if ((err as { awsType?: unknown }).awsType === 'RequestTooLargeException') throw messageTooLong();
    throw err;
  }
}

/**
 * `backendFor` and `arnFor` choose per request: the caller's namespace's topics and its account and region (on a
 * cluster from the SigV4 key's principal; locally the one namespace). Installed before or after router/json-rpc's
 * jsonRoutes: each passes on what is not its own.
 */
export function snsRoutes(backendFor: (req: Request) => TopicBackend, arnFor: (req: Request) => ArnContext, _logger: Logger): RouteInstaller {
  return (app: Express) => {
    app.post('/', async (req: Request, res: Response, next: NextFunction) => {
      if (!isQueryRequest(req)) { next(); return; }
      const params = await readParams(req);
      const arn = arnFor(req);
      // a missing or unknown Action, or another Version: refused here as the SigV4 check refuses it
      queryAction(SNS, params, arn);
      const action = params.get('Action')!;
      const operation = SNS_OPERATIONS[action]!;
      const traceId = carriedTraceHeader(req);
      const ctx: SnsContext = {
        backend: backendFor(req), arn, userArn: principalOf(req)?.userArn ?? userArn(arn.accountId, 'anonymous'), now: Date.now,
        ...(traceId ? { traceId } : {}),
      };
      const result = await operation(params, ctx);
      const requestId = newRequestId();
      sendXml(res, 200, responseXml(action, SNS.xmlNamespace, result, requestId), requestId);
    });
  };
}
