// SigV4's derived signing key, cached per (secret, date, region, service): a request then costs one HMAC, not five.
import { createHmac } from 'node:crypto';

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** A bounded cache; the oldest entry goes first when full. A key changes daily, so a few per access key stay live. */
export class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 1024) {}

  get(secret: string, date: string, region: string, service: string): Buffer {
    const id = `${date}/${region}/${service}\n${secret}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = deriveSigningKey(secret, date, region, service);
      if (this.keys.size >= this.maxEntries) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(id, key);
    }
    return key;
  }

  get size(): number { return this.keys.size; }
}
