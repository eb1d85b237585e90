// A message as Publish and PublishBatch take it, checked as SNS checks it (pure): Subject, MessageStructure=json, the
// message attributes (String, String.Array, Number, Binary and their custom forms), and the 256 KB limit counting the
// message and its attributes.
import type { QueryParams } from '../../core/query-apis.js';
import type { SnsAttribute } from '../../events/contracts.js';
import { items } from '../query/form.js';
import { snsError } from '../query/errors.js';
import { invalidParameter, parameterValueInvalid, shown } from './params.js';

/** SNS: a message and its attributes together at most 256 KB (262,144 bytes); a batch's messages the same in total. */
export const MAX_MESSAGE_BYTES = 262_144;
export const SUBJECT_MAX = 100;
const ATTRIBUTE_NAME_MAX_BYTES = 256;

/** The parts of one message a call carries, before its id and timestamp. */
export interface MessageInput {
  message: string;
  subject?: string;
  messageStructure?: 'json';
  messageAttributes: Record<string, SnsAttribute>;
  /** What counts against the 256 KB: the message, and each attribute's name, type and value. */
  bytes: number;
}

/** Subject: ASCII, starting with a letter, digit or punctuation, no line breaks or controls, at most 100 characters. */
export function checkSubject(subject: string): void {
  if (subject.length === 0 || subject.length > SUBJECT_MAX || !/^[\x21-\x7e][\x20-\x7e]*$/.test(subject)) throw invalidParameter('Subject');
}

/** MessageStructure=json: a JSON object with a `default` string (what every protocol without its own key gets). */
export function checkJsonStructure(message: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidParameter('Message Structure - JSON message body failed to parse');
  if (typeof (doc as Record<string, unknown>).default !== 'string') throw invalidParameter('Message Structure - No default entry in JSON message body');
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TYPE = /^(String|Number|Binary)(\..+)?$/;

function checkAttributeName(name: string): void {
  if (Buffer.byteLength(name) > ATTRIBUTE_NAME_MAX_BYTES) throw parameterValueInvalid('Length of message attribute name must be less than 256 bytes.');
  if (name === '') throw parameterValueInvalid('The message attribute name can not be empty.');
  if (name.startsWith('.')) throw parameterValueInvalid("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith('.')) throw parameterValueInvalid("Invalid message attribute name ending with character '.' was found.");
  const bad = [...name].find((c) => !/[A-Za-z0-9_.-]/.test(c));
  if (bad !== undefined) {
    throw parameterValueInvalid(`Invalid non-alphanumeric character '#x${bad.codePointAt(0)!.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`);
  }
  if (name.includes('..')) throw parameterValueInvalid("Message attribute name can not have successive '.' character.");
}

/** A String.Array value: a JSON array of strings, numbers, true, false and null. */
function isStringArray(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
  } catch {
    return false;
  }
}

/**
 * The `MessageAttributes.entry.N.Name` / `.Value.DataType|StringValue|BinaryValue` of a call (or of one batch entry,
 * `where` naming it in a ValidationError), checked as SNS checks them, with the bytes they count.
 */
export function messageAttributesOf(params: QueryParams, where = 'messageAttributes'): { attributes: Record<string, SnsAttribute>; bytes: number } {
  const attributes: Record<string, SnsAttribute> = {};
  let bytes = 0;
  for (const entry of items(params, 'MessageAttributes', 'entry') ?? []) {
    const name = entry.get('Name') ?? '';
    checkAttributeName(name);
    const type = entry.get('Value.DataType');
    if (type === undefined) {
      throw snsError(400, 'ValidationError', `1 validation error detected: Value null at '${where}.${shown(name)}.member.dataType' failed to satisfy constraint: Member must not be null`);
    }
    if (!TYPE.test(type)) throw parameterValueInvalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    const stringValue = entry.get('Value.StringValue');
    const binaryValue = entry.get('Value.BinaryValue');
    if (stringValue === undefined && binaryValue === undefined) {
      throw parameterValueInvalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    const binary = type.startsWith('Binary');
    const value = binary ? binaryValue : stringValue;
    if (value === undefined) throw parameterValueInvalid(`The message attribute '${name}' with type '${type}' must use field '${binary ? 'Binary' : 'String'}'.`);
    if (value === '') throw parameterValueInvalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    if (type.startsWith('Number') && !NUMBER.test(value.trim())) throw parameterValueInvalid(`Could not cast message attribute '${name}' value to number.`);
    if (type === 'String.Array' && !isStringArray(value)) {
      throw parameterValueInvalid(`The message attribute '${name}' with type 'String.Array' must be a JSON array of strings, numbers, true, false and null.`);
    }
    if (binary && !BASE64.test(value)) throw parameterValueInvalid(`The message attribute '${name}' with type '${type}' must hold base64-encoded bytes.`);
    attributes[name] = binary ? { DataType: type, BinaryValue: value } : { DataType: type, StringValue: value };
    bytes += Buffer.byteLength(name) + Buffer.byteLength(type) + (binary ? Buffer.from(value, 'base64').length : Buffer.byteLength(value));
  }
  return { attributes, bytes };
}

/** SNS's refusal of a message (with its attributes) over 256 KB. */
export const messageTooLong = () => invalidParameter('Message too long');

/**
 * One message's members (`Message`, `Subject`, `MessageStructure`, `MessageAttributes…`) read and checked in SNS's
 * order: subject, an empty message, the attributes, the size, the JSON structure.
 */
export function messageInput(params: QueryParams, where?: string): MessageInput {
  const message = params.get('Message');
  if (message === undefined) {
    throw snsError(400, 'ValidationError', `1 validation error detected: Value null at '${where ? `${where}.message` : 'message'}' failed to satisfy constraint: Member must not be null`);
  }
  const subject = params.get('Subject');
  if (subject !== undefined) checkSubject(subject);
  if (message === '') throw invalidParameter('Empty message');
  const { attributes, bytes: attributeBytes } = messageAttributesOf(params, where ? `${where}.messageAttributes` : undefined);
  const bytes = Buffer.byteLength(message) + attributeBytes;
  if (bytes > MAX_MESSAGE_BYTES) throw messageTooLong();
  const structure = params.get('MessageStructure');
  if (structure !== undefined && structure !== '' && structure !== 'json') throw invalidParameter('MessageStructure');
  if (structure === 'json') checkJsonStructure(message);
  return {
    message, messageAttributes: attributes, bytes,
    ...(subject !== undefined ? { subject } : {}),
    ...(structure === 'json' ? { messageStructure: 'json' as const } : {}),
  };
}
