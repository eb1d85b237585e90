// The MD5 digests SQS returns with a message (pure): of the body, and of the message attributes in SQS's binary
// encoding (the SDKs check both against what they sent or received).
import { createHash } from 'node:crypto';

/** A message attribute as SQS stores it: BinaryValue as bytes' base64, the way the JSON protocol carries it. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export const md5Hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

function lengthPrefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

export const isBinaryType = (dataType: string): boolean => dataType.startsWith('Binary');

/**
 * MD5OfMessageAttributes: for each attribute in name order, its name, its data type (each as a 4-byte big-endian
 * length then UTF-8), one transport byte (1 String/Number, 2 Binary) and its value (length then bytes).
 * Undefined when there are none, as SQS leaves the member out.
 */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>> | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const a = attributes![name]!;
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(a.DataType, 'utf8')));
    if (isBinaryType(a.DataType)) {
      parts.push(Buffer.from([BINARY_TRANSPORT]), lengthPrefixed(Buffer.from(a.BinaryValue ?? '', 'base64')));
    } else {
      parts.push(Buffer.from([STRING_TRANSPORT]), lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}
