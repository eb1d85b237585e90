// The JSON a pattern is matched against, per source: SNS message attributes or body, Lambda's SQS/Kinesis/DynamoDB records.
/** An SNS message attribute as Publish takes it ({DataType, StringValue}) or as subscribers get it ({Type, Value}). */
export interface SnsMessageAttribute {
  Type?: string; Value?: unknown;
  DataType?: string; StringValue?: string; BinaryValue?: unknown;
}

/**
 * Attributes as a filter policy sees them: String → string, Number → number, String.Array → its JSON array.
 * Binary attributes are ignored (AWS: "Amazon SNS ignores message attributes with the Binary data type"); custom
 * types (`String.x`, `Number.x`) count as their base type.
 */
export function snsAttributesView(attributes: Record<string, SnsMessageAttribute> | undefined): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(attributes ?? {})) {
    const type = attr.Type ?? attr.DataType ?? 'String';
    const raw = attr.Value ?? attr.StringValue;
    if (raw === undefined || type.startsWith('Binary')) continue;
    const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
    if (type === 'String.Array' || type === 'Number.Array') view[name] = jsonOr(text, (v) => Array.isArray(v));
    else if (type.startsWith('Number')) view[name] = text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    else view[name] = text;
  }
  return view;
}

/** The body as a MessageBody-scope policy sees it: a JSON object, or nothing (a body that is not one never matches). */
export function snsBodyView(message: string): Record<string, unknown> | undefined {
  const v = jsonOr(message, isJsonObject);
  return isJsonObject(v) ? v : undefined;
}

export type EsmSource = 'sqs' | 'kinesis' | 'dynamodb';

/**
 * A Lambda event source mapping record as its filter criteria see it (pure; the record is not changed):
 * - SQS: the record with `body` parsed when it is a JSON object or array. A plain-string body stays a string, so a
 *   JSON `body` pattern never matches it and a string pattern never matches a JSON body (Lambda drops both).
 * - Kinesis: the record's `kinesis` fields lifted to the top (`partitionKey`, …) with `data` base64-decoded and
 *   parsed when it is JSON; otherwise `data` stays the base64 text, which a JSON `data` pattern never matches.
 * - DynamoDB: the record as it is (`dynamodb.Keys`, `NewImage`, … are already JSON).
 */
export function esmFilterView(record: Record<string, unknown>, source: EsmSource): Record<string, unknown> {
  switch (source) {
    case 'sqs':
      return typeof record.body === 'string' ? { ...record, body: jsonOr(record.body, isJsonStructure) } : record;
    case 'kinesis': {
      const { kinesis, ...rest } = record;
      const k = isJsonObject(kinesis) ? kinesis : {};
      const data = typeof k.data === 'string' ? jsonOr(Buffer.from(k.data, 'base64').toString('utf8'), isJsonStructure, k.data) : k.data;
      return { ...rest, ...k, data };
    }
    case 'dynamodb':
      return record;
  }
}

const isJsonObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isJsonStructure = (v: unknown) => v !== null && typeof v === 'object';

/** `text` parsed when it is JSON of the wanted kind, else `fallback` (the text itself by default). */
function jsonOr(text: string, wanted: (v: unknown) => boolean, fallback: unknown = text): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return fallback;
  try {
    const v: unknown = JSON.parse(text);
    return wanted(v) ? v : fallback;
  } catch {
    return fallback;
  }
}
