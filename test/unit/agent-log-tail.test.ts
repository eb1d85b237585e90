// Unit tests of the 4 KB log tail (X-Amz-Log-Result).
import { cutTail, LOG_TAIL_BYTES, TailBuffer } from '../../src/agent/log-tail.js';

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('log tail', () => {
  it('keeps everything when it fits in 4 KB', () => {
    const t = new TailBuffer();
    t.push('START RequestId: a Version: $LATEST');
    t.push('hello');
    expect(decode(t.toBase64())).toBe('START RequestId: a Version: $LATEST\nhello\n');
  });

  it('keeps the last 4 KB, starting at a line boundary', () => {
    const t = new TailBuffer();
    for (let i = 0; i < 500; i++) t.push(`line ${String(i).padStart(3, '0')} ${'x'.repeat(20)}`);
    const text = decode(t.toBase64());
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LOG_TAIL_BYTES);
    expect(Buffer.byteLength(text)).toBeGreaterThan(LOG_TAIL_BYTES - 40);
    expect(text.startsWith('line ')).toBe(true);
    expect(text.endsWith(`line 499 ${'x'.repeat(20)}\n`)).toBe(true);
  });

  it('cuts inside a line longer than 4 KB at a character boundary', () => {
    const long = 'é'.repeat(5000); // 2 bytes each
    const out = cutTail(Buffer.from(`${long}\n`));
    expect(out.length).toBeLessThanOrEqual(LOG_TAIL_BYTES);
    expect(out.toString('utf8')).toMatch(/^é+\n$/);
  });

  it('keeps exactly the window when it already starts a line', () => {
    const a = 'a'.repeat(100);
    const b = 'b'.repeat(LOG_TAIL_BYTES - 1);
    expect(cutTail(Buffer.from(`${a}\n${b}\n`)).toString()).toBe(`${b}\n`);
  });

  it('stays bounded however much is written', () => {
    const t = new TailBuffer();
    for (let i = 0; i < 100_000; i++) t.push(`line ${i}`);
    expect(t.text().length).toBeLessThan(LOG_TAIL_BYTES + 20);
    expect(t.text().endsWith('line 99999\n')).toBe(true);
  });
});
