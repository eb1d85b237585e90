// MD5OfMessageAttributes as SQS computes it, against the sample values of AWS's SDKs' checksum tests.
import { md5Hex, md5OfMessageAttributes } from '../../src/events/sqs/md5.js';

describe('md5OfMessageAttributes', () => {
  it('two String attributes, in name order whatever the order given', () => {
    expect(md5OfMessageAttributes({
      test_attribute_name_2: { DataType: 'String', StringValue: 'test_attribute_value_2' },
      test_attribute_name_1: { DataType: 'String', StringValue: 'test_attribute_value_1' },
    })).toBe('d53f3b558fe951154770f25cb63dbba9');
  });

  it('a Binary attribute: its bytes (carried as base64), transport type 2', () => {
    expect(md5OfMessageAttributes({
      test_attribute_name: { DataType: 'Binary', BinaryValue: Buffer.from('test_attribute_value').toString('base64') },
    })).toBe('23f6bd27ea87aab7dfeadcc9aebee495');
  });

  it('none: no digest (SQS leaves MD5OfMessageAttributes out)', () => {
    expect(md5OfMessageAttributes({})).toBeUndefined();
    expect(md5OfMessageAttributes(undefined)).toBeUndefined();
  });

  it('the body\'s MD5 is of its UTF-8 bytes', () => {
    expect(md5Hex('hello')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(md5Hex('é')).toBe(md5Hex(Buffer.from([0xc3, 0xa9])));
  });
});
