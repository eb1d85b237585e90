// Receipt handles (pure): opaque to the client, naming the queue, the message and the token of one receive.

export interface ReceiptHandle {
  /** "ns/name" of the queue it was received from */
  queue: string;
  messageId: string;
  token: string;
}

const PART = /^[A-Za-z0-9._/-]{1,200}$/;

export function encodeReceiptHandle(h: ReceiptHandle): string {
  return Buffer.from(`${h.queue} ${h.messageId} ${h.token}`, 'utf8').toString('base64');
}

/** The handle's parts, or undefined for text that is not a handle this store made. */
export function decodeReceiptHandle(text: string): ReceiptHandle | undefined {
  if (text.length === 0 || text.length > 1024 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const parts = Buffer.from(text, 'base64').toString('utf8').split(' ');
  if (parts.length !== 3 || !parts.every((p) => PART.test(p))) return undefined;
  const [queue, messageId, token] = parts as [string, string, string];
  return { queue, messageId, token };
}
