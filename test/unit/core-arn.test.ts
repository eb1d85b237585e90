import { functionArn, parseFunctionName } from '../../src/core/arn.js';

const ctx = { region: 'us-east-1', accountId: '123456789012' };

describe('function names the Lambda API accepts', () => {
  it('takes a bare name', () => {
    expect(parseFunctionName('hello', undefined, ctx)).toEqual({ name: 'hello' });
  });
  it('takes name:qualifier and the Qualifier query parameter', () => {
    expect(parseFunctionName('hello:live', undefined, ctx)).toEqual({ name: 'hello', qualifier: 'live' });
    expect(parseFunctionName('hello', '2', ctx)).toEqual({ name: 'hello', qualifier: '2' });
    expect(parseFunctionName('hello:$LATEST', undefined, ctx)).toEqual({ name: 'hello', qualifier: '$LATEST' });
  });
  it('takes full and partial ARNs of its own region and account, with or without a qualifier', () => {
    expect(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:hello', undefined, ctx)).toEqual({ name: 'hello' });
    expect(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:hello:prod', undefined, ctx)).toEqual({ name: 'hello', qualifier: 'prod' });
    expect(parseFunctionName('123456789012:function:hello:3', undefined, ctx)).toEqual({ name: 'hello', qualifier: '3' });
  });
  it('refuses a qualifier in the name that differs from the Qualifier parameter', () => {
    expect(() => parseFunctionName('hello:1', '2', ctx)).toThrow(/does not match/);
  });
  it('refuses names AWS refuses, with an InvalidParameterValueException', () => {
    for (const bad of ['', 'a b', 'x'.repeat(65), 'arn:aws:s3:::bucket', 'a:b:c', 'hello:bad/qualifier', '%zz']) {
      expect(() => parseFunctionName(bad, undefined, ctx)).toThrow(expect.objectContaining({ awsType: 'InvalidParameterValueException', statusCode: 400 }));
    }
    expect(() => parseFunctionName('hello', '\u0000/../', ctx)).toThrow(expect.objectContaining({ awsType: 'InvalidParameterValueException' }));
  });
  it('refuses a name over 170 characters without echoing all of it', () => {
    const err = (() => { try { parseFunctionName('a'.repeat(10_000), undefined, ctx); } catch (e) { return e as Error; } return undefined; })();
    expect(err).toMatchObject({ awsType: 'InvalidParameterValueException', statusCode: 400 });
    expect(err?.message).toContain('Member must have length less than or equal to 170');
    expect(err?.message.length).toBeLessThan(500);
  });
  it('refuses another account\'s ARN, full or partial, with AccessDeniedException naming the action', () => {
    expect(() => parseFunctionName('arn:aws:lambda:us-east-1:999999999999:function:hello', undefined, ctx)).toThrow(expect.objectContaining({
      statusCode: 403, awsType: 'AccessDeniedException',
      message: 'User is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:999999999999:function:hello because no resource-based policy allows the lambda:InvokeFunction action',
    }));
    expect(() => parseFunctionName('999999999999:function:hello:live', undefined, ctx, 'lambda:GetFunction')).toThrow(expect.objectContaining({
      statusCode: 403, awsType: 'AccessDeniedException',
      message: expect.stringContaining('lambda:GetFunction on resource: arn:aws:lambda:us-east-1:999999999999:function:hello:live'),
    }));
  });
  it('answers an ARN of another region as AWS does: not reachable from here (404)', () => {
    expect(() => parseFunctionName('arn:aws:lambda:eu-west-1:123456789012:function:hello:prod', undefined, ctx)).toThrow(expect.objectContaining({
      statusCode: 404, awsType: 'ResourceNotFoundException', message: "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
    }));
  });
  it('builds ARNs with region, account and qualifier', () => {
    const c = { region: 'us-east-1', accountId: '000000000000' };
    expect(functionArn(c, 'hello')).toBe('arn:aws:lambda:us-east-1:000000000000:function:hello');
    expect(functionArn(c, 'hello', 'live')).toBe('arn:aws:lambda:us-east-1:000000000000:function:hello:live');
  });
});
