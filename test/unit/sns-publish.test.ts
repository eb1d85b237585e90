// SNS's Publish and PublishBatch through the router with @aws-sdk/client-sns over an in-memory TopicBackend: what the
// backend is handed (id, message, subject, structure, attributes, timestamp, trace id), SNS's 256 KB limit counting the
// attributes, its checks of subjects, JSON structures and message attributes, and the batch's per-entry answers.
import {
  BatchEntryIdsNotDistinctException, BatchRequestTooLongException, EmptyBatchRequestException, InvalidBatchEntryIdException,
  InvalidParameterException, InvalidParameterValueException, NotFoundException, PublishBatchCommand, PublishCommand, SNSClient,
  SNSServiceException, TooManyEntriesInBatchRequestException, type MessageAttributeValue,
} from '@aws-sdk/client-sns';
import type { SnsRouter } from '../helpers/memory-topics.js';
import { refusal, startSns, stopSns } from '../helpers/sns.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders';
const LIMIT = 262_144;
let router: SnsRouter;
let sns: SNSClient;

beforeEach(async () => { ({ router, sns } = await startSns(['orders'])); });
afterEach(() => stopSns({ router, sns }));

const published = () => router.backend.messagesOf('orders');

describe('Publish', () => {
  it('hands the backend the message with its id, subject, attributes (binary as base64) and timestamp, and answers the id', async () => {
    const before = Date.now();
    const out = await sns.send(new PublishCommand({
      TopicArn: TOPIC, Message: 'héllo <world> & "friends"\r\n', Subject: 'Order placed!',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'placed' },
        total: { DataType: 'Number', StringValue: '-12.5e3' },
        tags: { DataType: 'String.Array', StringValue: '["a", 1, true, null]' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 255, 7]) },
        custom: { DataType: 'String.currency', StringValue: 'EUR' },
      },
    }));
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const [m] = published();
    expect(m).toEqual({
      messageId: out.MessageId, message: 'héllo <world> & "friends"\r\n', subject: 'Order placed!', timestamp: expect.any(Number),
      messageAttributes: {
        kind: { DataType: 'String', StringValue: 'placed' },
        total: { DataType: 'Number', StringValue: '-12.5e3' },
        tags: { DataType: 'String.Array', StringValue: '["a", 1, true, null]' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 255, 7]).toString('base64') },
        custom: { DataType: 'String.currency', StringValue: 'EUR' },
      },
    });
    expect(m!.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('takes TargetArn for a topic, MessageStructure=json with a default, and carries X-Amzn-Trace-Id', async () => {
    sns.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-amzn-trace-id'] = 'Root=1-67891233-abcdef012345678912345678';
      return next(args);
    }, { step: 'build', name: 'traceHeader' });
    const structured = JSON.stringify({ default: 'plain', lambda: 'for functions' });
    await sns.send(new PublishCommand({ TargetArn: TOPIC, Message: structured, MessageStructure: 'json' }));
    expect(published()[0]).toMatchObject({ message: structured, messageStructure: 'json', traceId: 'Root=1-67891233-abcdef012345678912345678' });
  });

  it('takes exactly 256 KB counting the attributes, and refuses one byte more with SNS\'s words (nothing published)', async () => {
    const attrs: Record<string, MessageAttributeValue> = { k: { DataType: 'String', StringValue: 'vv' }, b: { DataType: 'Binary', BinaryValue: Buffer.alloc(10) } };
    const attrBytes = 'k'.length + 'String'.length + 2 + 'b'.length + 'Binary'.length + 10;
    // multi-byte characters count as their UTF-8 bytes
    const body = 'é'.repeat(1000) + 'x'.repeat(LIMIT - attrBytes - 2000);
    await sns.send(new PublishCommand({ TopicArn: TOPIC, Message: body, MessageAttributes: attrs }));
    const e = await refusal(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: `${body}x`, MessageAttributes: attrs })));
    expect(e).toBeInstanceOf(InvalidParameterException);
    expect(e.message).toBe('Invalid parameter: Message too long');
    expect(published()).toHaveLength(1);
    // a body far past what any SNS message could be is refused the same way, without being read to its end
    expect((await refusal(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'x'.repeat(3 * 1024 * 1024) })))).message).toBe('Invalid parameter: Message too long');
  });

  it("refuses subjects, structures and missing or empty messages in SNS's words", async () => {
    const refused: Array<[Record<string, unknown>, string, string]> = [
      [{ Message: 'm', Subject: '' }, 'InvalidParameterException', 'Invalid parameter: Subject'],
      [{ Message: 'm', Subject: 's'.repeat(101) }, 'InvalidParameterException', 'Invalid parameter: Subject'],
      [{ Message: 'm', Subject: 'line\nbreak' }, 'InvalidParameterException', 'Invalid parameter: Subject'],
      [{ Message: 'm', Subject: 'café' }, 'InvalidParameterException', 'Invalid parameter: Subject'],
      [{ Message: 'm', Subject: ' leading space' }, 'InvalidParameterException', 'Invalid parameter: Subject'],
      [{ Message: '' }, 'InvalidParameterException', 'Invalid parameter: Empty message'],
      [{ Message: 'not json', MessageStructure: 'json' }, 'InvalidParameterException', 'Invalid parameter: Message Structure - JSON message body failed to parse'],
      [{ Message: '{"lambda":"x"}', MessageStructure: 'json' }, 'InvalidParameterException', 'Invalid parameter: Message Structure - No default entry in JSON message body'],
      [{ Message: 'm', MessageDeduplicationId: 'd' }, 'InvalidParameterException', 'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type'],
      [{ Message: 'm', PhoneNumber: '+15555550100', TopicArn: undefined }, 'InvalidParameterException', 'Invalid parameter: PhoneNumber Reason: klambda does not send SMS; publish to a topic'],
      [{ Message: 'm', TopicArn: undefined }, 'InvalidParameterException', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter'],
    ];
    for (const [input, name, message] of refused) {
      const e = await refusal(sns.send(new PublishCommand({ TopicArn: TOPIC, ...input } as never)));
      expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual([name, message, 400]);
    }
    const missing = await refusal(sns.send(new PublishCommand({ TopicArn: TOPIC } as never)));
    expect([missing.name, missing.message]).toEqual(['ValidationError', "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null"]);
    expect(published()).toEqual([]);
  });

  it("checks message attributes as SNS does (InvalidParameterValueException, SNS's words)", async () => {
    const attr = (a: Record<string, unknown>) => sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'm', MessageAttributes: a as Record<string, MessageAttributeValue> }));
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ n: { DataType: 'Text', StringValue: 'x' } }, "The message attribute 'n' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."],
      [{ n: { DataType: 'Number', StringValue: 'ten' } }, "Could not cast message attribute 'n' value to number."],
      [{ n: { DataType: 'String.Array', StringValue: '["a", {"b": 1}]' } }, "The message attribute 'n' with type 'String.Array' must be a JSON array of strings, numbers, true, false and null."],
      [{ n: { DataType: 'String.Array', StringValue: 'a,b' } }, "The message attribute 'n' with type 'String.Array' must be a JSON array of strings, numbers, true, false and null."],
      [{ n: { DataType: 'String', StringValue: '' } }, "The message attribute 'n' must contain non-empty message attribute value for message attribute type 'String'."],
      [{ n: { DataType: 'String', BinaryValue: Buffer.from('x') } }, "The message attribute 'n' with type 'String' must use field 'String'."],
      [{ n: { DataType: 'Binary', StringValue: 'x' } }, "The message attribute 'n' with type 'Binary' must use field 'Binary'."],
      [{ '.n': { DataType: 'String', StringValue: 'x' } }, "Invalid message attribute name starting with character '.' was found."],
      [{ 'n.': { DataType: 'String', StringValue: 'x' } }, "Invalid message attribute name ending with character '.' was found."],
      [{ 'a..b': { DataType: 'String', StringValue: 'x' } }, "Message attribute name can not have successive '.' character."],
      [{ 'a b': { DataType: 'String', StringValue: 'x' } }, "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."],
      [{ ['n'.repeat(257)]: { DataType: 'String', StringValue: 'x' } }, 'Length of message attribute name must be less than 256 bytes.'],
    ];
    for (const [attrs, message] of refused) {
      const e = await refusal(attr(attrs));
      expect(e).toBeInstanceOf(InvalidParameterValueException);
      expect(e.message).toBe(message);
    }
    const noType = await refusal(attr({ n: { StringValue: 'x' } }));
    expect([noType.name, noType.message]).toEqual(['ValidationError', "1 validation error detected: Value null at 'messageAttributes.n.member.dataType' failed to satisfy constraint: Member must not be null"]);
    expect(published()).toEqual([]);
  });

  it('a topic that does not exist: NotFound (404), nothing published', async () => {
    const e = await refusal(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:missing', Message: 'm' })));
    expect(e).toBeInstanceOf(NotFoundException);
    expect(router.backend.published).toEqual([]);
  });
});

describe('PublishBatch', () => {
  it('publishes the good entries in one call and reports each refused one in Failed with its code', async () => {
    const out = await sns.send(new PublishBatchCommand({
      TopicArn: TOPIC,
      PublishBatchRequestEntries: [
        { Id: 'a-1', Message: 'one', Subject: 'S', MessageAttributes: { k: { DataType: 'Number', StringValue: '1' } } },
        { Id: 'b_2', Message: '' },
        { Id: 'c', Message: 'three', MessageAttributes: { k: { DataType: 'Number', StringValue: 'x' } } },
        { Id: 'd', Message: '{"default":"four"}', MessageStructure: 'json' },
      ],
    }));
    expect(out.Successful!.map((s) => s.Id)).toEqual(['a-1', 'd']);
    expect(out.Failed).toEqual([
      { Id: 'b_2', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true },
      { Id: 'c', Code: 'ParameterValueInvalid', Message: "Could not cast message attribute 'k' value to number.", SenderFault: true },
    ]);
    expect(router.backend.published).toHaveLength(1);
    expect(published().map((m) => [m.messageId, m.message, m.subject])).toEqual([[out.Successful![0]!.MessageId, 'one', 'S'], [out.Successful![1]!.MessageId, '{"default":"four"}', undefined]]);
    expect(published()[0]!.messageAttributes).toEqual({ k: { DataType: 'Number', StringValue: '1' } });
  });

  it("refuses the batch as a whole in SNS's words: no entries, more than 10, Ids repeated or malformed, 256 KB in total", async () => {
    const batch = (entries: Array<{ Id: string; Message: string }>) => sns.send(new PublishBatchCommand({ TopicArn: TOPIC, PublishBatchRequestEntries: entries }));
    const cases: Array<[Array<{ Id: string; Message: string }>, unknown, string]> = [
      [[], EmptyBatchRequestException, "The batch request doesn't contain any entries."],
      [Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, Message: 'x' })), TooManyEntriesInBatchRequestException, 'The batch request contains more entries than permissible.'],
      [[{ Id: 'a', Message: 'x' }, { Id: 'a', Message: 'y' }], BatchEntryIdsNotDistinctException, 'Two or more batch entries in the request have the same Id.'],
      [[{ Id: 'a.b', Message: 'x' }], InvalidBatchEntryIdException, 'The Id of a batch entry in the batch request contains an impermissible character: a.b'],
      [[{ Id: 'i'.repeat(81), Message: 'x' }], InvalidBatchEntryIdException, `The Id of a batch entry in the batch request is too long: ${'i'.repeat(81)}`],
      [[{ Id: 'a', Message: 'x'.repeat(LIMIT / 2) }, { Id: 'b', Message: 'x'.repeat(LIMIT / 2 + 1) }], BatchRequestTooLongException, 'The length of all the messages put together is more than the limit.'],
    ];
    for (const [entries, type, message] of cases) {
      const e = await refusal(batch(entries));
      expect(e).toBeInstanceOf(type as typeof SNSServiceException);
      expect([e.message, e.$metadata.httpStatusCode]).toEqual([message, 400]);
    }
    await batch([{ Id: 'a', Message: 'x'.repeat(LIMIT / 2) }, { Id: 'b', Message: 'x'.repeat(LIMIT / 2) }]);
    expect(published()).toHaveLength(2);
  });

  it('a topic that does not exist: NotFound', async () => {
    const e = await refusal(sns.send(new PublishBatchCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:missing', PublishBatchRequestEntries: [{ Id: 'a', Message: 'x' }] })));
    expect(e).toBeInstanceOf(NotFoundException);
  });
});
