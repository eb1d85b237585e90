// The evidence for a lost topic message or stream record: what Redis's append-only file kept of it, what klambda's
// logs say, and the log lines of klambda's event paths, counted.
import { aofCommands } from '../loss/aof.js';

/** For each needle, the commands whose arguments contain it (command name and key), in file order, at most 20 each. */
export function aofMentions(redisDir: string, needles: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(needles.map((n) => [n, []]));
  if (needles.length === 0) return out;
  for (const args of aofCommands(redisDir)) {
    for (const needle of needles) {
      if (!args.slice(1).some((a) => a.includes(needle))) continue;
      const list = out.get(needle)!;
      if (list.length < 20) list.push(`${args[0]!.toUpperCase()} ${args[1] ?? ''}`);
    }
  }
  return out;
}

/** Lines of klambda's logs on the event paths (inbox, worker, stream pollers), counted beside logCounts' own. */
export const EVENT_LOG_SIGNS: Record<string, RegExp> = {
  inboxUnreadable: /the event inbox could not be read/g,
  eventDeliveryFailed: /event delivery failed; the entry will be tried again/g,
  eventDroppedRefused: /event not delivered: its destination refused it/g,
  inboxEntryDropped: /event inbox entry failed every delivery attempt and was dropped|unreadable event inbox entry was dropped/g,
  streamBatchNotInvoked: /stream batch not invoked/g,
  streamBatchDiscarded: /stream batch discarded/g,
  streamLeaseLost: /stream shard lease lost/g,
  streamShardTakenOver: /stream shard taken over/g,
  streamCheckpointNotWritten: /stream checkpoint not written/g,
  streamReadFailed: /stream shard read failed/g,
  streamPollerTickFailed: /stream poller tick failed/g,
  mappingNotPolled: /event source mapping not polled/g,
};
