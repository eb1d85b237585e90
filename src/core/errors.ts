// The KlambdaError family: every error a client can see, with its AWS error type and HTTP status.

export interface AwsErrorShape {
  statusCode: number;
  /** x-amzn-ErrorType and the body's Type/__type, e.g. ResourceNotFoundException. */
  awsType: string;
  message: string;
  /** Extra body fields AWS sends for this error (e.g. Reason, retryAfterSeconds). */
  extra?: Record<string, string | number>;
}

export class KlambdaError extends Error implements AwsErrorShape {
  constructor(
    readonly statusCode: number,
    readonly awsType: string,
    message: string,
    readonly extra?: Record<string, string | number>,
  ) {
    super(message);
    this.name = awsType;
  }
}

/** A function, version, alias or ConfigMap that does not exist (404 ResourceNotFoundException). */
export class ResourceNotFoundError extends KlambdaError {
  constructor(message: string) {
    super(404, 'ResourceNotFoundException', message);
  }
}

/** The object already exists (409 ResourceConflictException). */
export class ResourceConflictError extends KlambdaError {
  constructor(message: string) {
    super(409, 'ResourceConflictException', message);
  }
}

/** A request whose values break a rule (400 InvalidParameterValueException). */
export class InvalidParameterError extends KlambdaError {
  constructor(message: string) {
    super(400, 'InvalidParameterValueException', message);
  }
}

export const notFound = (message: string) => new ResourceNotFoundError(message);
export const invalidParameter = (message: string) => new InvalidParameterError(message);
export const invalidContent = (message: string) => new KlambdaError(400, 'InvalidRequestContentException', message);
export const tooLarge = (message: string) => new KlambdaError(413, 'RequestTooLargeException', message);
export const conflict = (message: string) => new ResourceConflictError(message);
/** A RevisionId that is no longer the function's (412 PreconditionFailedException). */
export const preconditionFailed = (message = 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id') =>
  new KlambdaError(412, 'PreconditionFailedException', message);
/** The caller may not do this (403 AccessDeniedException), e.g. to another account's function. */
export const forbidden = (message: string) => new KlambdaError(403, 'AccessDeniedException', message);
export const serviceError = (message: string) => new KlambdaError(500, 'ServiceException', message);
export const throttled = (reason: string, message = 'Rate Exceeded.') =>
  new KlambdaError(429, 'TooManyRequestsException', message, { Reason: reason, retryAfterSeconds: 1 });

/** Anything error-like that carries an AWS shape (our family, or the api/ store errors). */
export function isAwsError(err: unknown): err is AwsErrorShape {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Partial<AwsErrorShape>;
  return typeof e.statusCode === 'number' && typeof e.awsType === 'string' && typeof e.message === 'string';
}

/** The one mapping from an error to what goes on the wire. Unknown errors become a 500 ServiceException. */
export function toAwsError(err: unknown): AwsErrorShape {
  if (isAwsError(err)) return err;
  return { statusCode: 500, awsType: 'ServiceException', message: 'An internal error occurred.' };
}

/** The JSON body AWS sends with an error (the SDKs read Type/__type/message/Message). */
export function awsErrorBody(e: AwsErrorShape): Record<string, string | number> {
  return { Type: e.statusCode >= 500 ? 'Service' : 'User', __type: e.awsType, message: e.message, Message: e.message, ...e.extra };
}

/** The router cannot reach its queue (Redis is away): nothing was queued. */
export const queueUnreachable = (): KlambdaError =>
  serviceError('The queue is unreachable (the router lost its connection to Redis); the invocation was not queued.');
