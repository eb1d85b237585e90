// EventBridge's input shapes (events-2015-10-07, as botocore and @aws-sdk/client-eventbridge carry it), for the
// operations the router serves: the members each takes and their constraints.
import type { Shape, Structure } from './members.js';

const str = (c: Omit<Extract<Shape, { type: 'string' }>, 'type'> = {}): Shape => ({ type: 'string', ...c });

export const RULE_NAME = str({ min: 1, max: 64, pattern: '[\\.\\-_A-Za-z0-9]+' });
export const EVENT_BUS_NAME = str({ min: 1, max: 256, pattern: '[/\\.\\-_A-Za-z0-9]+' });
export const EVENT_BUS_NAME_OR_ARN = str({ min: 1, max: 1600, pattern: '(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+' });
/** PutEvents' entries name no partner bus (no '/'). */
export const NON_PARTNER_EVENT_BUS_NAME_OR_ARN = str({ min: 1, max: 1600, pattern: '(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[\\.\\-_A-Za-z0-9]+' });
export const RULE_STATE = str({ enum: ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'] });
export const NEXT_TOKEN = str({ min: 1, max: 2048 });
export const LIMIT: Shape = { type: 'integer', min: 1, max: 100 };
export const TARGET_ID = str({ min: 1, max: 64, pattern: '[\\.\\-_A-Za-z0-9]+' });
export const ARN = str({ min: 1, max: 1600 });
const TARGET_INPUT_PATH = str({ max: 256 });

const TAG: Structure = { type: 'structure', members: { Key: str({ min: 1, max: 128 }), Value: str({ min: 0, max: 256 }) }, required: ['Key', 'Value'] };
export const TAG_LIST: Shape = { type: 'list', member: TAG };
export const TAG_KEY_LIST: Shape = { type: 'list', member: str({ min: 1, max: 128 }) };

const INPUT_TRANSFORMER: Structure = {
  type: 'structure',
  members: {
    InputPathsMap: { type: 'map', key: str({ min: 1, max: 256, pattern: '[A-Za-z0-9\\_\\-]+' }), value: TARGET_INPUT_PATH, max: 100 },
    InputTemplate: str({ min: 1, max: 8192 }),
  },
  required: ['InputTemplate'],
};

/** A target as PutTargets takes it; the members for other target kinds are read only to be refused. */
const TARGET: Structure = {
  type: 'structure',
  members: {
    Id: TARGET_ID, Arn: ARN, RoleArn: str({ min: 1, max: 1600 }), Input: str({ max: 8192 }), InputPath: TARGET_INPUT_PATH,
    InputTransformer: INPUT_TRANSFORMER,
  },
  required: ['Id', 'Arn'],
};

const ENTRY: Structure = {
  type: 'structure',
  members: {
    Time: { type: 'timestamp' }, Source: str(), Resources: { type: 'list', member: str({ max: 2048 }) }, DetailType: str(), Detail: str(),
    EventBusName: NON_PARTNER_EVENT_BUS_NAME_OR_ARN, TraceHeader: str({ min: 1, max: 500 }),
  },
};

const op = (members: Record<string, Shape>, required: string[] = []): Structure => ({ type: 'structure', members, required });

export const SHAPES = {
  PutEvents: op({ Entries: { type: 'list', member: ENTRY, min: 1, max: 10 }, EndpointId: str({ min: 1, max: 50 }) }, ['Entries']),
  PutRule: op({
    Name: RULE_NAME, ScheduleExpression: str({ max: 256 }), EventPattern: str({ max: 4096 }), State: RULE_STATE, Description: str({ max: 512 }),
    RoleArn: str({ min: 1, max: 1600 }), Tags: TAG_LIST, EventBusName: EVENT_BUS_NAME_OR_ARN,
  }, ['Name']),
  RuleByName: op({ Name: RULE_NAME, EventBusName: EVENT_BUS_NAME_OR_ARN }, ['Name']),
  DeleteRule: op({ Name: RULE_NAME, EventBusName: EVENT_BUS_NAME_OR_ARN, Force: { type: 'boolean' } }, ['Name']),
  ListRules: op({ NamePrefix: RULE_NAME, EventBusName: EVENT_BUS_NAME_OR_ARN, NextToken: NEXT_TOKEN, Limit: LIMIT }),
  PutTargets: op({ Rule: RULE_NAME, EventBusName: EVENT_BUS_NAME_OR_ARN, Targets: { type: 'list', member: TARGET, min: 1, max: 100 } }, ['Rule', 'Targets']),
  RemoveTargets: op({
    Rule: RULE_NAME, EventBusName: EVENT_BUS_NAME_OR_ARN, Ids: { type: 'list', member: TARGET_ID, min: 1, max: 100 }, Force: { type: 'boolean' },
  }, ['Rule', 'Ids']),
  ListTargetsByRule: op({ Rule: RULE_NAME, EventBusName: EVENT_BUS_NAME_OR_ARN, NextToken: NEXT_TOKEN, Limit: LIMIT }, ['Rule']),
  ListRuleNamesByTarget: op({ TargetArn: ARN, EventBusName: EVENT_BUS_NAME_OR_ARN, NextToken: NEXT_TOKEN, Limit: LIMIT }, ['TargetArn']),
  ListEventBuses: op({ NamePrefix: EVENT_BUS_NAME, NextToken: NEXT_TOKEN, Limit: LIMIT }),
  DescribeEventBus: op({ Name: EVENT_BUS_NAME_OR_ARN }),
  TagResource: op({ ResourceARN: ARN, Tags: TAG_LIST }, ['ResourceARN', 'Tags']),
  UntagResource: op({ ResourceARN: ARN, TagKeys: TAG_KEY_LIST }, ['ResourceARN', 'TagKeys']),
  ListTagsForResource: op({ ResourceARN: ARN }, ['ResourceARN']),
} as const satisfies Record<string, Structure>;

export interface Tag { Key: string; Value: string }
export interface InputTransformerMembers { InputPathsMap?: Record<string, string>; InputTemplate: string }
export interface TargetMembers { Id: string; Arn: string; RoleArn?: string; Input?: string; InputPath?: string; InputTransformer?: InputTransformerMembers }
export interface EntryMembers {
  Time?: Date; Source?: string; Resources?: Array<string | null>; DetailType?: string; Detail?: string; EventBusName?: string; TraceHeader?: string;
}
