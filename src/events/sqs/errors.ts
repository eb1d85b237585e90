// SQS's errors as the JSON protocol carries them: `__type` (modelled errors in com.amazonaws.sqs, the front end's in
// com.amazon.coral.service), the HTTP status of the model, and the query-era code the SDKs read from the
// `x-amzn-query-error: <code>;Sender` header (the one place these are mapped).
import { KlambdaError } from '../../core/errors.js';

export class SqsError extends KlambdaError {
  constructor(statusCode: number, awsType: string, readonly queryCode: string, message: string) {
    super(statusCode, awsType, message);
  }

  /** The `x-amzn-query-error` header value. */
  get queryErrorHeader(): string {
    return `${this.queryCode};Sender`;
  }
}

const modelled = (name: string, queryCode: string, status: number) => (message: string) =>
  new SqsError(status, `com.amazonaws.sqs#${name}`, queryCode, message);
const coral = (name: string, queryCode: string, status: number) => (message: string) =>
  new SqsError(status, `com.amazon.coral.service#${name}`, queryCode, message);

export const queueDoesNotExist = (message = 'The specified queue does not exist.') =>
  modelled('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400)(message);
export const queueNameExists = (attribute: string) =>
  modelled('QueueNameExists', 'QueueAlreadyExists', 400)(`A queue already exists with the same name and a different value for attribute ${attribute}`);
export const invalidAttributeName = (message: string) => modelled('InvalidAttributeName', 'InvalidAttributeName', 400)(message);
export const invalidAttributeValue = (message: string) => modelled('InvalidAttributeValue', 'InvalidAttributeValue', 400)(message);
export const invalidMessageContents = () => modelled('InvalidMessageContents', 'InvalidMessageContents', 400)(
  'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
export const receiptHandleIsInvalid = (handle: string) =>
  modelled('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404)(`The input receipt handle "${shown(handle)}" is not a valid receipt handle.`);
export const messageNotInflight = () => modelled('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 400)('Message is not in flight.');
export const purgeQueueInProgress = (queue: string) =>
  modelled('PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress', 403)(`Only one PurgeQueue operation on ${queue} is allowed every 60 seconds.`);
export const emptyBatchRequest = (what: string) =>
  modelled('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 400)(`There should be at least one ${what} in the request.`);
export const tooManyEntriesInBatchRequest = (sent: number) =>
  modelled('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400)(`Maximum number of entries per request are 10. You have sent ${sent}.`);
export const invalidBatchEntryId = () => modelled('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId', 400)(
  'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
export const batchEntryIdsNotDistinct = (id: string) =>
  modelled('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400)(`Id ${shown(id)} repeated.`);
export const batchRequestTooLong = (max: number, sent: number) =>
  modelled('BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong', 400)(`Batch requests cannot be longer than ${max} bytes. You have sent ${sent} bytes.`);
export const unsupportedOperation = (message: string) =>
  modelled('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', 400)(message);
export const invalidParameterValue = (message: string) => coral('InvalidParameterValueException', 'InvalidParameterValue', 400)(message);
export const missingParameter = (name: string) =>
  coral('MissingRequiredParameterException', 'MissingParameter', 400)(`The request must contain the parameter ${name}.`);
export const invalidAddress = (message: string) => modelled('InvalidAddress', 'InvalidAddress', 404)(message);

/** `Value <v> for parameter <p> is invalid. Reason: <r>` — SQS's usual InvalidParameterValue sentence. */
export const invalidValue = (parameter: string, value: unknown, reason: string) =>
  invalidParameterValue(`Value ${shown(String(value))} for parameter ${parameter} is invalid. Reason: ${reason}`);

/** A value as echoed in a message: hostile input is not reflected at full length. */
export function shown(value: string): string {
  return value.length > 256 ? `${value.slice(0, 256)}...` : value;
}
