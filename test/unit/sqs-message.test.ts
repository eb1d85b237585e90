// What SendMessage accepts: SQS's characters, attribute names, types and values, and how the size is counted.
import { checkBody, checkMessageAttributes, hasOnlySqsCharacters, messageSize } from '../../src/events/sqs/message.js';

const refusal = (f: () => unknown): { type: string; queryCode: string; message: string } | undefined => {
  try { f(); } catch (e) { const err = e as { awsType: string; queryCode: string; message: string }; return { type: err.awsType, queryCode: err.queryCode, message: err.message }; }
  return undefined;
};

describe('message bodies', () => {
  it('takes #x9 #xA #xD, #x20..#xD7FF, #xE000..#xFFFD and the astral planes; nothing else', () => {
    expect(hasOnlySqsCharacters('tab\there\nline\r ok é 中 🌍 \uE000 \uFFFD')).toBe(true);
    for (const bad of ['\u0000', '\u0008', '\u001F', '\uFFFE', '\uFFFF', '\uD800', 'x\uDC00y']) expect(hasOnlySqsCharacters(bad)).toBe(false);
  });

  it('refuses an empty body and characters SQS does not allow, with SQS\'s codes', () => {
    expect(refusal(() => checkBody(''))).toEqual({ type: 'com.amazon.coral.service#MissingRequiredParameterException', queryCode: 'MissingParameter', message: 'The request must contain the parameter MessageBody.' });
    expect(refusal(() => checkBody('a\u0000b'))).toMatchObject({ type: 'com.amazonaws.sqs#InvalidMessageContents', queryCode: 'InvalidMessageContents' });
  });
});

describe('message attributes', () => {
  it('keeps the value member of each type and counts name, type and value in the size', () => {
    const attrs = checkMessageAttributes({
      s: { DataType: 'String', StringValue: 'abc', BinaryValue: 'AAAA' },
      n: { DataType: 'Number.float', StringValue: '-1.5e3' },
      b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
    });
    expect(attrs).toEqual({ s: { DataType: 'String', StringValue: 'abc' }, n: { DataType: 'Number.float', StringValue: '-1.5e3' }, b: { DataType: 'Binary', BinaryValue: 'AQID' } });
    expect(messageSize('body', attrs)).toBe(4 + (1 + 6 + 3) + (1 + 12 + 6) + (1 + 6 + 3));
  });

  it('refuses reserved and malformed names, unknown types, empty values, non-numbers and more than 10', () => {
    const one = (name: string, a: { DataType: string; StringValue?: string; BinaryValue?: string }) => refusal(() => checkMessageAttributes({ [name]: a }));
    expect(one('AWS.x', { DataType: 'String', StringValue: 'v' })?.queryCode).toBe('InvalidParameterValue');
    expect(one('amazon.x', { DataType: 'String', StringValue: 'v' })?.queryCode).toBe('InvalidParameterValue');
    expect(one('.lead', { DataType: 'String', StringValue: 'v' })).toBeDefined();
    expect(one('a..b', { DataType: 'String', StringValue: 'v' })).toBeDefined();
    expect(one('sp ace', { DataType: 'String', StringValue: 'v' })).toBeDefined();
    expect(one('t', { DataType: 'Integer', StringValue: '1' })).toBeDefined();
    expect(one('ErrorDetails', { DataType: 'String', StringValue: '' })?.message).toBe("Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.");
    expect(one('n', { DataType: 'Number', StringValue: 'twelve' })).toBeDefined();
    expect(one('b', { DataType: 'Binary', StringValue: 'x' })).toBeDefined();
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    expect(refusal(() => checkMessageAttributes(eleven))?.message).toContain('exceeds the allowed maximum [10]');
    expect(one('fine.name-1_x', { DataType: 'String.custom', StringValue: 'v' })).toBeUndefined();
  });
});
