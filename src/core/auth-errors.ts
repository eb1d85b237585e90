// The authentication and authorization errors a caller can see, with AWS's types and messages (all 403).
import { KlambdaError } from './errors.js';

/** No Authorization header and no presigned query (AWS: "Missing Authentication Token"). */
export const missingAuthentication = (): KlambdaError =>
  new KlambdaError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');

/** An Authorization header or presigned query that lacks a part or cannot be read. */
export const incompleteSignature = (message: string): KlambdaError =>
  new KlambdaError(403, 'IncompleteSignatureException', message);

/** An access key id nobody issued (or a session token, which klambda never issues). */
export const unrecognizedClient = (): KlambdaError =>
  new KlambdaError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');

/** The signature does not match, is out of date, or is scoped to another region or service. */
export const invalidSignature = (message: string): KlambdaError =>
  new KlambdaError(403, 'InvalidSignatureException', message);

export const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. '
  + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Signed correctly, but the key may not do this (its policy, or another account's resource). */
export function accessDenied(userArn: string, action: string, resource: string, explicitDeny = false): KlambdaError {
  const why = explicitDeny
    ? `with an explicit deny in an identity-based policy`
    : `because no identity-based policy allows the ${action} action`;
  return new KlambdaError(403, 'AccessDeniedException', `User: ${userArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`);
}

/** A request the local mode refuses before any route (foreign Host or Origin, a write a web page could send). */
export const refusedLocally = (message: string): KlambdaError => new KlambdaError(403, 'AccessDeniedException', message);
