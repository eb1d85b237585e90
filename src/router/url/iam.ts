// AWS_IAM Function URLs: the caller's SigV4 signature (service `lambda`) and its lambda:InvokeFunctionUrl permission.
import type { IncomingMessage } from 'node:http';
import { accessDenied } from '../../core/auth-errors.js';
import { functionArn, type ArnContext } from '../../core/arn.js';
import { isAwsError, KlambdaError } from '../../core/errors.js';
import { evaluate } from '../../core/iam-policy.js';
import type { UrlTarget } from '../../core/function-url.js';
import { EMPTY_SHA256, parseSignedAuth, queryPairs, sha256Hex, SigningKeyCache, verifySigV4 } from '../../core/sigv4/index.js';
import { principalOfKey, type KeyStore, type Principal } from '../auth/principal.js';

export const INVOKE_FUNCTION_URL = 'lambda:InvokeFunctionUrl';

export interface UrlIamOptions {
  /** The router's keys; none in the local mode without --auth: then any well-formed signature is the anonymous caller. */
  keys?: KeyStore;
  region: string;
  /** The local mode's caller when there are no keys. */
  anonymous?: Principal;
  now?: () => number;
}

/** The resource a URL's invoke is authorized on: the function's ARN, with the alias for an alias's URL. */
export function urlResourceArn(arn: ArnContext, target: UrlTarget): string {
  return functionArn(arn, target.functionName, target.qualifier === '$LATEST' ? undefined : target.qualifier);
}

/** Refuses a principal of another account, or whose policy does not allow lambda:InvokeFunctionUrl on the function (pure). */
export function authorizeUrl(principal: Principal, accountId: string, resource: string): void {
  if (principal.accountId !== accountId) throw accessDenied(principal.userArn, INVOKE_FUNCTION_URL, resource);
  if (!principal.policy) return;
  const decision = evaluate(principal.policy, INVOKE_FUNCTION_URL, resource);
  if (decision !== 'Allow') throw accessDenied(principal.userArn, INVOKE_FUNCTION_URL, resource, decision === 'ExplicitDeny');
}

/** Checks an AWS_IAM URL's request; returns its caller or throws the KlambdaError (403) why not. */
export class UrlSigner {
  private readonly cache = new SigningKeyCache();
  constructor(private readonly opts: UrlIamOptions) {}

  /** Whether the request carries SigV4 credentials at all (an Authorization header or a presigned query). */
  carriesSignature(req: IncomingMessage): boolean {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    try {
      parseSignedAuth(req.headers, queryPairs(q < 0 ? '' : url.slice(q + 1)));
      return true;
    } catch (err) {
      return refusalMessage(err) !== undefined;
    }
  }

  caller(req: IncomingMessage, body: Buffer, accountId: string, resource: string): Principal {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let principal: Principal;
    if (this.opts.keys) {
      const { key } = verifySigV4(
        { method: req.method ?? 'GET', url, headers: req.headers, rawHeaders: req.rawHeaders, bodySha256: body.length === 0 ? EMPTY_SHA256 : sha256Hex(body) },
        (id) => this.opts.keys!.find(id),
        { region: this.opts.region, services: ['lambda'], now: (this.opts.now ?? Date.now)(), cache: this.cache },
      );
      principal = principalOfKey(key);
    } else {
      // no keys to check it against: a signature that can be read stands for the local mode's one caller
      parseSignedAuth(req.headers, queryPairs(q < 0 ? '' : url.slice(q + 1)));
      if (!this.opts.anonymous) throw new KlambdaError(403, 'AccessDeniedException', 'No keys to verify the signature with');
      principal = this.opts.anonymous;
    }
    authorizeUrl(principal, accountId, resource);
    return principal;
  }
}

/** The message an IAM refusal shows: a missing signature is AWS's plain Forbidden, any other the reason. */
export function refusalMessage(err: unknown): string | undefined {
  if (!isAwsError(err) || err.statusCode !== 403) return undefined;
  return err.awsType === 'MissingAuthenticationTokenException' ? undefined : err.message;
}
