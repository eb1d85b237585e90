// Errors in the query protocol's shape: SNS's codes for the types the rest of the router throws, and the XML body (pure).
import { toAwsError, KlambdaError } from '../../core/errors.js';
import { errorXml } from './xml.js';

/** Our error types as a query API names them (its `Code`), with the status it answers them with where that differs. */
const CODES: Readonly<Record<string, { code: string; status?: number }>> = {
  // the SigV4 check and the policy (SNS: AuthorizationError; the signature errors of every query API)
  AccessDeniedException: { code: 'AuthorizationError' },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch' },
  IncompleteSignatureException: { code: 'IncompleteSignature' },
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken' },
  UnrecognizedClientException: { code: 'InvalidClientTokenId' },
  // the pattern engine (SNS dialects) and the backends
  InvalidParameterException: { code: 'InvalidParameter' },
  InvalidParameterValueException: { code: 'ParameterValueInvalid' },
  ValidationException: { code: 'ValidationError' },
  ResourceNotFoundException: { code: 'NotFound' },
  ResourceConflictException: { code: 'ConcurrentAccess', status: 400 },
  TooManyRequestsException: { code: 'Throttled' },
  ServiceException: { code: 'InternalError' },
  UnknownOperationException: { code: 'InvalidAction', status: 400 },
};

export interface QueryError {
  status: number;
  type: 'Sender' | 'Receiver';
  code: string;
  message: string;
}

/** What goes on the wire for `err`: anything unknown is a 500 InternalError. */
export function queryErrorOf(err: unknown): QueryError {
  const e = toAwsError(err);
  const mapped = CODES[e.awsType];
  const status = mapped?.status ?? e.statusCode;
  return { status, type: status >= 500 ? 'Receiver' : 'Sender', code: mapped?.code ?? e.awsType, message: e.message };
}

/** The ErrorResponse document of `err`. */
export function queryErrorBody(err: QueryError, xmlns: string, requestId: string): string {
  return errorXml(xmlns, err, requestId);
}

/** An SNS error with its wire code (InvalidParameter, NotFound, …) and status. */
export const snsError = (status: number, code: string, message: string): KlambdaError => new KlambdaError(status, code, message);
