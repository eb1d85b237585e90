// EventBridge's ListEventBuses and DescribeEventBus. A namespace's buses are `default` and every bus one of its rules
// names: a bus comes with its first rule and goes with its last (CreateEventBus and DeleteEventBus are not served).
import { DEFAULT_EVENT_BUS } from '../../api/event-rule.js';
import { busArn, busRef } from './arns.js';
import { busNotFound, type EventBridgeContext } from './context.js';
import { readMembers } from './members.js';
import { page } from './pages.js';
import { SHAPES } from './shapes.js';

export interface BusShape { Name: string; Arn: string }

export async function listEventBuses(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ EventBuses: BusShape[]; NextToken?: string }> {
  const m = readMembers<{ NamePrefix?: string; NextToken?: string; Limit?: number }>(SHAPES.ListEventBuses, input);
  const named = ctx.backend.listBuses ? await ctx.backend.listBuses() : [];
  const buses = [...new Set([DEFAULT_EVENT_BUS, ...named])].filter((b) => m.NamePrefix === undefined || b.startsWith(m.NamePrefix)).sort();
  const p = page(buses, (b) => b, m.NextToken, m.Limit);
  return { EventBuses: p.items.map((b) => ({ Name: b, Arn: busArn(ctx.arn, b) })), ...(p.next !== undefined ? { NextToken: p.next } : {}) };
}

/** The default bus when no Name is given; a name or a bus ARN of the caller's region and account. */
export async function describeEventBus(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<BusShape> {
  const m = readMembers<{ Name?: string }>(SHAPES.DescribeEventBus, input);
  const bus = busRef(m.Name, ctx.arn);
  if (bus.foreign || !await ctx.backend.busExists(bus.name)) throw busNotFound(bus.name);
  return { Name: bus.name, Arn: busArn(ctx.arn, bus.name) };
}
