// EventBridge's PutEvents: each entry checked as EventBridge checks it (a failed entry gets its ErrorCode and
// ErrorMessage, the others go on), the events built with the caller's account and region, then handed to the
// backend once per bus. An entry for a bus that does not exist is answered with an EventId and goes nowhere, as at AWS.
import { evaluate } from '../../core/iam-policy.js';
import { accessDenied } from '../../core/auth-errors.js';
import { isAwsError } from '../../core/errors.js';
import type { BusEvent } from '../../events/contracts.js';
import { busRef } from './arns.js';
import { validationError, type EventBridgeContext } from './context.js';
import { readMembers } from './members.js';
import { SHAPES, type EntryMembers } from './shapes.js';

/** "The total entry size must be less than 256KB" (Calculating Amazon EventBridge PutEvents event entry size). */
export const MAX_ENTRIES_SIZE = 256 * 1024;
/** "Free-form string, with a maximum of 128 characters" (PutEventsRequestEntry.DetailType). */
export const DETAIL_TYPE_MAX = 128;

export type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const utf8 = (s: string | undefined): number => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));

/** An entry's size as AWS documents it: Time 14 bytes if set, Source, DetailType, Detail and each Resource in UTF-8. */
export function entrySize(e: EntryMembers): number {
  return (e.Time !== undefined ? 14 : 0) + utf8(e.Source) + utf8(e.DetailType) + utf8(e.Detail)
    + (e.Resources ?? []).reduce((n, r) => n + utf8(r ?? undefined), 0);
}

const invalidArgument = (member: string, reason: string): ResultEntry =>
  ({ ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${member} is not valid. Reason: ${reason}` });

/** ISO 8601 without milliseconds, as EventBridge writes an event's time. */
export const eventTime = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

/** The entry's detail as an object, or the failure EventBridge reports for it. */
function entryProblem(e: EntryMembers): ResultEntry | undefined {
  if (e.Source === undefined || e.Source === '') return invalidArgument('Source', 'Source is a required argument.');
  if (e.DetailType === undefined || e.DetailType === '') return invalidArgument('DetailType', 'DetailType is a required argument.');
  if (e.Detail === undefined || e.Detail === '') return invalidArgument('Detail', 'Detail is a required argument.');
  if (e.DetailType.length > DETAIL_TYPE_MAX) return invalidArgument('DetailType', `DetailType is longer than ${DETAIL_TYPE_MAX} characters.`);
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  // "A valid JSON object": a list, a string or a number is no detail
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return undefined;
}

interface Accepted { index: number; bus: string; event: BusEvent }

/**
 * Whether the caller may put events on that bus: never on another account's or region's (no resource policy of klambda's
 * lets it in), else as the key's policy says (no policy: its own buses). EventBridge reports a denied entry alone.
 */
function deniedOn(arn: string, foreign: boolean, ctx: EventBridgeContext): ResultEntry | undefined {
  const policy = ctx.principal?.policy;
  const decision = foreign ? 'ImplicitDeny' : policy === undefined ? 'Allow' : evaluate(policy, 'events:PutEvents', arn);
  if (decision === 'Allow') return undefined;
  const who = ctx.principal?.userArn ?? `arn:aws:iam::${ctx.arn.accountId}:user/anonymous`;
  return { ErrorCode: 'AccessDeniedException', ErrorMessage: accessDenied(who, 'events:PutEvents', arn, decision === 'ExplicitDeny').message };
}

/** `{FailedEntryCount, Entries}`, an entry's result at its index. */
export async function putEvents(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ FailedEntryCount: number; Entries: ResultEntry[] }> {
  const m = readMembers<{ Entries: Array<EntryMembers | null> }>(SHAPES.PutEvents, input);
  const entries = m.Entries.map((e) => e ?? {});
  if (entries.reduce((n, e) => n + entrySize(e), 0) > MAX_ENTRIES_SIZE) throw validationError('Total size of the entries in the request is over the limit.');
  const results: ResultEntry[] = [];
  const accepted: Accepted[] = [];
  const known = new Map<string, boolean>();
  const now = ctx.now();
  for (const [index, e] of entries.entries()) {
    const problem = entryProblem(e);
    if (problem) { results.push(problem); continue; }
    const bus = busRef(e.EventBusName, ctx.arn);
    const denied = deniedOn(bus.arn, bus.foreign, ctx);
    if (denied) { results.push(denied); continue; }
    const id = ctx.newId();
    results.push({ EventId: id });
    if (!known.has(bus.name)) known.set(bus.name, await ctx.backend.busExists(bus.name));
    if (!known.get(bus.name)) continue;
    accepted.push({
      index, bus: bus.name,
      event: {
        version: '0', id, 'detail-type': e.DetailType!, source: e.Source!, account: ctx.arn.accountId,
        time: eventTime(e.Time ?? now), region: ctx.arn.region, resources: (e.Resources ?? []).filter((r): r is string => r !== null),
        detail: JSON.parse(e.Detail!) as unknown,
      },
    });
  }
  await deliver(accepted, results, ctx);
  return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
}

/** One backend call per bus; a bus whose events Redis did not take fails those entries (InternalFailure, retryable). */
async function deliver(accepted: Accepted[], results: ResultEntry[], ctx: EventBridgeContext): Promise<void> {
  const byBus = new Map<string, Accepted[]>();
  for (const a of accepted) byBus.set(a.bus, [...(byBus.get(a.bus) ?? []), a]);
  for (const [bus, list] of byBus) {
    try {
      await ctx.backend.putEvents(bus, list.map((a) => a.event), ctx.traceId);
    } catch (err) {
      const message = isAwsError(err) ? err.message : 'Internal Failure';
      for (const a of list) results[a.index] = { ErrorCode: 'InternalFailure', ErrorMessage: message };
    }
  }
}
