// What SendMessage accepts (pure): SQS's characters, message attributes (names, types, values) and the size limit.
import { invalidMessageContents, invalidParameterValue, missingParameter } from './errors.js';
import { isBinaryType, type MessageAttributeValue } from './md5.js';

/** #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF: a lone surrogate is none of them. */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export const hasOnlySqsCharacters = (text: string): boolean => !OUTSIDE_SQS_CHARACTERS.test(text);

export const MAX_MESSAGE_ATTRIBUTES = 10;
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]+)?$/;
/** SQS's Number: up to 38 significant digits, between -10^128 and 10^126. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The body: present, non-empty, SQS's characters only. */
export function checkBody(body: string | undefined): string {
  if (body === undefined || body === '') throw missingParameter('MessageBody');
  if (!hasOnlySqsCharacters(body)) throw invalidMessageContents();
  return body;
}

/** Checks message attributes as SQS does; returns them as stored (only the value member of their type). */
export function checkMessageAttributes(input: Readonly<Record<string, MessageAttributeValue>>): Record<string, MessageAttributeValue> {
  const names = Object.keys(input);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) throw invalidParameterValue(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`);
  const out: Record<string, MessageAttributeValue> = {};
  for (const name of names) {
    const a = input[name]!;
    if (!ATTRIBUTE_NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw invalidParameterValue(`Message (user) attribute name '${name.slice(0, 256)}' is invalid: it can only contain letters, digits, '_', '-' and '.', must not start or end with '.' nor have '..', and is at most 256 characters.`);
    }
    if (/^(aws\.|amazon\.)/i.test(name)) {
      throw invalidParameterValue("You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use.");
    }
    if (typeof a.DataType !== 'string' || a.DataType === '') throw invalidParameterValue(`The message attribute '${name}' must contain a non-empty message attribute type.`);
    if (!DATA_TYPE.test(a.DataType) || byteLength(a.DataType) > 256) {
      throw invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (isBinaryType(a.DataType)) {
      if (typeof a.BinaryValue !== 'string' || a.BinaryValue === '') throw invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      out[name] = { DataType: a.DataType, BinaryValue: a.BinaryValue };
      continue;
    }
    const type = a.DataType.startsWith('Number') ? 'Number' : 'String';
    if (typeof a.StringValue !== 'string' || a.StringValue === '') {
      throw invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type '${type}'.`);
    }
    if (!hasOnlySqsCharacters(a.StringValue)) throw invalidParameterValue(`Message (user) attribute '${name}' contains invalid characters.`);
    if (type === 'Number' && !NUMBER.test(a.StringValue)) throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    out[name] = { DataType: a.DataType, StringValue: a.StringValue };
  }
  return out;
}

/** The size SQS counts against MaximumMessageSize: the body plus each attribute's name, type and value. */
export function messageSize(body: string, attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  let size = byteLength(body);
  for (const [name, a] of Object.entries(attributes)) {
    size += byteLength(name) + byteLength(a.DataType);
    size += a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue, 'base64').length : byteLength(a.StringValue ?? '');
  }
  return size;
}

export const tooLargeMessage = (max: number) => invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
