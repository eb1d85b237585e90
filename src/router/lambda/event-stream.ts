// AWS's event-stream framing (application/vnd.amazon.eventstream, pure): the messages of InvokeWithResponseStream's
// answer, PayloadChunk {Payload} and InvokeComplete {ErrorCode, ErrorDetails, LogResult}, as the SDK's codec reads them.
//
// A message: total length (4 bytes), headers length (4), CRC32 of those 8 bytes, the headers (name length (1), name,
// type 7 = string, value length (2), value), the payload, CRC32 of everything before it. Integers big-endian.

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const STRING = 7;

/** One message with string headers. */
export function eventMessage(headers: Record<string, string>, payload: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(STRING, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const headerBytes = Buffer.concat(parts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const msg = Buffer.alloc(total);
  msg.writeUInt32BE(total, 0);
  msg.writeUInt32BE(headerBytes.length, 4);
  msg.writeUInt32BE(crc32(msg, 0, 8), 8);
  headerBytes.copy(msg, 12);
  msg.set(payload, 12 + headerBytes.length);
  msg.writeUInt32BE(crc32(msg, 0, total - 4), total - 4);
  return msg;
}

/** Lambda sends a streamed response in pieces of at most this size. */
export const MAX_CHUNK_BYTES = 64 * 1024;

/** PayloadChunk events carrying `data` (several when it is large). */
export function payloadChunks(data: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += MAX_CHUNK_BYTES) {
    out.push(eventMessage({ ':event-type': 'PayloadChunk', ':content-type': 'application/octet-stream', ':message-type': 'event' },
      data.subarray(at, Math.min(data.length, at + MAX_CHUNK_BYTES))));
  }
  return out;
}

export interface InvokeComplete {
  ErrorCode?: string;
  ErrorDetails?: string;
  LogResult?: string;
}

/** The InvokeComplete event that ends the answer. */
export const invokeComplete = (c: InvokeComplete): Buffer =>
  eventMessage({ ':event-type': 'InvokeComplete', ':content-type': 'application/json', ':message-type': 'event' }, Buffer.from(JSON.stringify(c)));
