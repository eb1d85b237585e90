import { functionArn, parseFunctionName } from '../../src/core/arn.js';

describe('function names the Lambda API accepts', () => {
  it('takes a bare name', () => {
    expect(parseFunctionName('hello')).toEqual({ name: 'hello' });
  });
  it('takes name:qualifier and the Qualifier query parameter', () => {
    expect(parseFunctionName('hello:live')).toEqual({ name: 'hello', qualifier: 'live' });
    expect(parseFunctionName('hello', '2')).toEqual({ name: 'hello', qualifier: '2' });
    expect(parseFunctionName('hello:$LATEST')).toEqual({ name: 'hello', qualifier: '$LATEST' });
  });
  it('takes full and partial ARNs, with or without a qualifier', () => {
    expect(parseFunctionName('arn:aws:lambda:us-east-1:000000000000:function:hello')).toEqual({ name: 'hello' });
    expect(parseFunctionName('arn:aws:lambda:eu-west-1:123456789012:function:hello:prod')).toEqual({ name: 'hello', qualifier: 'prod' });
    expect(parseFunctionName('123456789012:function:hello:3')).toEqual({ name: 'hello', qualifier: '3' });
  });
  it('refuses a qualifier in the name that differs from the Qualifier parameter', () => {
    expect(() => parseFunctionName('hello:1', '2')).toThrow(/does not match/);
  });
  it('refuses names AWS refuses, with an InvalidParameterValueException', () => {
    for (const bad of ['', 'a b', 'x'.repeat(65), 'arn:aws:s3:::bucket', 'a:b:c']) {
      expect(() => parseFunctionName(bad)).toThrow(expect.objectContaining({ awsType: 'InvalidParameterValueException', statusCode: 400 }));
    }
  });
  it('builds ARNs with region, account and qualifier', () => {
    const ctx = { region: 'us-east-1', accountId: '000000000000' };
    expect(functionArn(ctx, 'hello')).toBe('arn:aws:lambda:us-east-1:000000000000:function:hello');
    expect(functionArn(ctx, 'hello', 'live')).toBe('arn:aws:lambda:us-east-1:000000000000:function:hello:live');
  });
});
