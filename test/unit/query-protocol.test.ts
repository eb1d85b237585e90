// The query protocol's pure parts: the form and the nesting its names spell, XML escaping and documents, our errors as
// SNS's codes, which requests are query calls, and the IAM action and resource of each SNS operation.
import { isQueryCall, queryAction, SNS } from '../../src/core/query-apis.js';
import { KlambdaError } from '../../src/core/errors.js';
import { PatternError } from '../../src/events/pattern/index.js';
import { items, parseForm, stringList, stringMap } from '../../src/router/query/form.js';
import { queryErrorOf } from '../../src/router/query/errors.js';
import { element, errorXml, escapeXml, responseXml, XmlMap } from '../../src/router/query/xml.js';
import { SNS_OPERATIONS } from '../../src/router/sns/operations.js';
import { refused } from '../helpers/refusal.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };

describe('the form', () => {
  it('decodes + and percent-escapes; a parameter given twice is refused', () => {
    const p = parseForm('Action=Publish&Message=a+b%26c%3D%F0%9F%98%80&Subject=');
    expect([...p]).toEqual([['Action', 'Publish'], ['Message', 'a b&c=😀'], ['Subject', '']]);
    expect(refused(() => parseForm('Action=A&Action=B'))).toMatchObject({ statusCode: 400, awsType: 'MalformedQueryString' });
  });

  it('reads lists, maps and their nested members in index order, not form order; `X=` is the empty list', () => {
    const p = parseForm([
      'Tags.member.2.Key=b', 'Tags.member.2.Value=2', 'Tags.member.1.Key=a', 'Tags.member.1.Value=1', 'Tags.member.10.Key=j',
      'Attributes.entry.1.key=DisplayName', 'Attributes.entry.1.value=D', 'TagKeys.member.1=x', 'TagKeys.member.2=y',
      'MessageAttributes.entry.1.Name=n', 'MessageAttributes.entry.1.Value.DataType=String', 'MessageAttributes.entry.1.Value.StringValue=v',
      'Empty=',
    ].join('&'));
    expect(items(p, 'Tags', 'member')!.map((m) => Object.fromEntries(m))).toEqual([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }, { Key: 'j' }]);
    expect(stringMap(p, 'Attributes')).toEqual(new Map([['DisplayName', 'D']]));
    expect(stringList(p, 'TagKeys')).toEqual(['x', 'y']);
    expect(Object.fromEntries(items(p, 'MessageAttributes', 'entry')![0]!)).toEqual({ Name: 'n', 'Value.DataType': 'String', 'Value.StringValue': 'v' });
    expect(items(p, 'Empty', 'member')).toEqual([]);
    expect(items(p, 'Absent', 'member')).toBeUndefined();
  });

  it('refuses an item number that is not one, and a name under a list that is not a member of it', () => {
    for (const bad of ['Tags.member.0.Key=a', 'Tags.member.01.Key=a', 'Tags.member.x.Key=a', 'Tags.member..Key=a', 'Tags.other.1=a']) {
      expect(refused(() => items(parseForm(bad), 'Tags', 'member'))).toMatchObject({ statusCode: 400, awsType: 'MalformedQueryString' });
    }
    expect(refused(() => stringMap(parseForm('Attributes.entry.1.value=v'), 'Attributes'))?.message).toBe('Attributes.entry.1 has no key.');
  });
});

describe('XML', () => {
  it('escapes markup and quotes, keeps a carriage return as &#13;, and replaces what XML 1.0 cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(escapeXml('a\r\nb\tc')).toBe('a&#13;\nb\tc');
    expect(escapeXml('\u0000\u0001\u001f\ufffe\uffff')).toBe('\ufffd'.repeat(5));
    expect(escapeXml('lone \ud800 and \udc00, pair 😀')).toBe('lone \ufffd and \ufffd, pair 😀');
  });

  it('writes members, entries and nested structures; undefined members are left out', () => {
    expect(element('R', { Topics: [{ TopicArn: 'a' }, { TopicArn: 'b' }], NextToken: undefined, Attributes: new XmlMap({ k: '<v>' }), N: 3, B: true }))
      .toBe('<R><Topics><member><TopicArn>a</TopicArn></member><member><TopicArn>b</TopicArn></member></Topics><Attributes><entry><key>k</key><value>&lt;v&gt;</value></entry></Attributes><N>3</N><B>true</B></R>');
  });

  it("wraps an answer in SNS's Response/Result/ResponseMetadata, and an error in ErrorResponse", () => {
    expect(responseXml('Publish', SNS.xmlNamespace, { MessageId: 'm' }, 'r')).toBe(
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>');
    expect(responseXml('DeleteTopic', SNS.xmlNamespace, undefined, 'r')).toBe(
      '<DeleteTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteTopicResponse>');
    expect(errorXml(SNS.xmlNamespace, { type: 'Sender', code: 'NotFound', message: 'Topic does not exist' }, 'r')).toBe(
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>');
  });
});

describe('errors as SNS codes them', () => {
  it("maps the router's types to SNS's codes and statuses; a 5xx is the Receiver's fault; anything unknown InternalError", () => {
    expect(queryErrorOf(new KlambdaError(403, 'AccessDeniedException', 'no'))).toEqual({ status: 403, type: 'Sender', code: 'AuthorizationError', message: 'no' });
    expect(queryErrorOf(new KlambdaError(403, 'InvalidSignatureException', 'sig'))).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(queryErrorOf(new KlambdaError(409, 'ResourceConflictException', 'busy'))).toMatchObject({ status: 400, code: 'ConcurrentAccess' });
    expect(queryErrorOf(new KlambdaError(404, 'NotFound', 'Topic does not exist'))).toMatchObject({ status: 404, code: 'NotFound' });
    expect(queryErrorOf(new PatternError('sns-attributes', 'x'))).toMatchObject({ status: 400, code: 'InvalidParameter' });
    expect(queryErrorOf(new Error('boom'))).toEqual({ status: 500, type: 'Receiver', code: 'InternalError', message: 'An internal error occurred.' });
  });
});

describe('query calls and their IAM actions', () => {
  it('is a form-encoded POST / without X-Amz-Target', () => {
    expect(isQueryCall('POST', '/', 'application/x-www-form-urlencoded; charset=utf-8', undefined)).toBe(true);
    expect(isQueryCall('POST', '/', 'application/x-www-form-urlencoded', 'AWSEvents.TestEventPattern')).toBe(false);
    expect(isQueryCall('POST', '/', 'application/x-amz-json-1.1', undefined)).toBe(false);
    expect(isQueryCall('GET', '/', 'application/x-www-form-urlencoded', undefined)).toBe(false);
    expect(isQueryCall('POST', '/2015-03-31/functions/f/invocations', 'application/x-www-form-urlencoded', undefined)).toBe(false);
    expect(isQueryCall('POST', '/', undefined, undefined)).toBe(false);
  });

  it('the router serves exactly the SNS operations core gives an IAM action', () => {
    expect(Object.keys(SNS_OPERATIONS).sort()).toEqual(Object.keys(SNS.operations).sort());
  });

  it('authorizes each operation on its topic ARN, or * where AWS names no resource; PublishBatch as sns:Publish', () => {
    const action = (params: Record<string, string>) => queryAction(SNS, new Map(Object.entries({ Version: '2010-03-31', ...params })), ctx);
    const topic = 'arn:aws:sns:us-east-1:000000000000:orders';
    expect(action({ Action: 'Publish', TopicArn: topic })).toEqual({ action: 'sns:Publish', resource: topic, account: '000000000000' });
    expect(action({ Action: 'Publish', TargetArn: topic })).toMatchObject({ action: 'sns:Publish', resource: topic });
    expect(action({ Action: 'PublishBatch', TopicArn: topic })).toMatchObject({ action: 'sns:Publish', resource: topic });
    expect(action({ Action: 'CreateTopic', Name: 'orders' })).toEqual({ action: 'sns:CreateTopic', resource: topic });
    expect(action({ Action: 'TagResource', ResourceArn: topic })).toMatchObject({ action: 'sns:TagResource', resource: topic });
    expect(action({ Action: 'Subscribe', TopicArn: 'arn:aws:sns:us-east-1:111111111111:x' })).toEqual({ action: 'sns:Subscribe', resource: 'arn:aws:sns:us-east-1:111111111111:x', account: '111111111111' });
    for (const a of ['ListTopics', 'ListSubscriptions', 'Unsubscribe', 'GetSubscriptionAttributes', 'SetSubscriptionAttributes']) expect(action({ Action: a })).toEqual({ action: `sns:${a}`, resource: '*' });
    // a parameter that is no ARN: only a policy allowing every resource lets it through to the operation's refusal
    expect(action({ Action: 'Publish', TopicArn: 'orders' })).toEqual({ action: 'sns:Publish', resource: 'orders' });
    expect(action({ Action: 'Publish' })).toEqual({ action: 'sns:Publish', resource: '*' });
  });

  it('refuses a missing or unknown Action (object-prototype names included) and another Version', () => {
    const action = (params: Record<string, string>) => refused(() => queryAction(SNS, new Map(Object.entries(params)), ctx));
    expect(action({})).toMatchObject({ statusCode: 400, awsType: 'MissingAction' });
    for (const a of ['constructor', 'toString', '__proto__', 'CreatePlatformApplication']) {
      expect(action({ Action: a, Version: '2010-03-31' })).toMatchObject({ statusCode: 400, awsType: 'InvalidAction', message: `Could not find operation ${a} for version 2010-03-31` });
    }
    expect(action({ Action: 'Publish', Version: '2012-11-05' })?.awsType).toBe('InvalidAction');
    expect(action({ Action: 'ListTopics' })).toBeUndefined();
  });
});
