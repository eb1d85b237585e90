import { CLIENT_CONTEXT_MAX, clientContext, invocationType, logType } from '../../src/router/lambda/invoke-headers.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('X-Amz-Invocation-Type', () => {
  it('defaults to RequestResponse and takes Event and DryRun', () => {
    expect(invocationType({})).toBe('RequestResponse');
    expect(invocationType({ 'x-amz-invocation-type': 'Event' })).toBe('Event');
    expect(invocationType({ 'x-amz-invocation-type': 'DryRun' })).toBe('DryRun');
  });
  it('refuses anything else, a repeated header included', () => {
    for (const bad of ['event', 'Event, Event', '']) {
      expect(() => invocationType({ 'x-amz-invocation-type': bad })).toThrow(expect.objectContaining({ statusCode: 400, awsType: 'InvalidParameterValueException' }));
    }
  });
});

describe('X-Amz-Log-Type', () => {
  it('defaults to None and takes None and Tail', () => {
    expect(logType({})).toBe('None');
    expect(logType({ 'x-amz-log-type': 'None' })).toBe('None');
    expect(logType({ 'x-amz-log-type': 'Tail' })).toBe('Tail');
  });
  it('refuses other values with AWS\'s validation message', () => {
    expect(() => logType({ 'x-amz-log-type': 'Bogus' })).toThrow(expect.objectContaining({
      statusCode: 400, awsType: 'InvalidParameterValueException',
      message: "1 validation error detected: Value 'Bogus' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]",
    }));
    for (const bad of ['tail', 'Tail, Tail', '']) expect(() => logType({ 'x-amz-log-type': bad })).toThrow(/logType/);
  });
});

describe('X-Amz-Client-Context', () => {
  it('is optional', () => {
    expect(clientContext({})).toBeUndefined();
  });
  it('passes the base64 of a JSON object on as sent, padded or not', () => {
    const value = b64('{"custom":{"a":"é"}}');
    expect(clientContext({ 'x-amz-client-context': value })).toBe(value);
    const unpadded = b64('{"a":1}').replace(/=+$/, '');
    expect(clientContext({ 'x-amz-client-context': unpadded })).toBe(unpadded);
  });
  it('refuses what is not the base64 of a JSON object', () => {
    const notJsonObject = ['!!!notbase64', b64('not json'), b64('[1,2]'), b64('null'), b64('"text"'), 'e30=x', 'e3=0', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]).toString('base64')];
    for (const bad of notJsonObject) {
      expect(() => clientContext({ 'x-amz-client-context': bad })).toThrow(expect.objectContaining({
        statusCode: 400, awsType: 'InvalidRequestContentException', message: 'Client context must be a valid Base64-encoded JSON object.',
      }));
    }
  });
  it('refuses more than 3,583 bytes', () => {
    const json = (n: number) => `{"k":"${'x'.repeat(n)}"}`;
    let atLimit = json(1);
    for (let n = 1; b64(json(n)).length <= CLIENT_CONTEXT_MAX; n += 1) atLimit = json(n);
    expect(clientContext({ 'x-amz-client-context': b64(atLimit) })).toBe(b64(atLimit));
    const over = b64(`${atLimit.slice(0, -2)}xxx"}`);
    expect(over.length).toBeGreaterThan(CLIENT_CONTEXT_MAX);
    expect(() => clientContext({ 'x-amz-client-context': over })).toThrow(expect.objectContaining({
      statusCode: 400, awsType: 'InvalidRequestContentException', message: expect.stringContaining('Client context too large'),
    }));
  });
});
