// The Redis ACL rules of klambda's roles (pure): what the router, the controller and each version's agents may touch.
import { createHash, randomBytes } from 'node:crypto';
import type { QueueRef } from '../core/queue-contract.js';
import { agentUserName, DEFAULT_KEY_PREFIX, queueKeyPattern } from './keys.js';

/**
 * The commands an agent sends itself (scripts by EVALSHA/EVAL, BLPOP, its connection name) and those its scripts
 * run (moveToActive, ack, complete, release, extendLease, appendStream). Redis checks both the commands and the keys a script touches against
 * the caller's ACL, so a script cannot reach past the version's keys either. On a Redis Cluster the client also reads
 * the slot map (CLUSTER SLOTS: which node serves which slots, no keys or data) and follows an ASK redirection while a
 * slot migrates (ASKING); neither opens a key.
 */
export const AGENT_COMMANDS = [
  'evalsha', 'eval', 'blpop', 'client|setname', 'ping', 'cluster|slots', 'asking',
  'time', 'lmove', 'lpop', 'hget', 'hexists', 'hincrby', 'hdel', 'zadd', 'zrem', 'zscore', 'lrem', 'lpush', 'rpush', 'pexpire',
  // appendStream's: a streamed response's chunks
  'xadd',
] as const;

/** A random password: 32 bytes, hex (no character that needs escaping in a URL). */
export const newPassword = (): string => randomBytes(32).toString('hex');

/** Passwords go to Redis as their SHA-256 (`#hash`), so ACL LIST and logs never show them. */
const passwordRules = (passwords: readonly string[]): string[] =>
  ['resetpass', ...passwords.map((p) => `#${createHash('sha256').update(p).digest('hex')}`)];

/**
 * ACL SETUSER arguments for one version's agents: only the keys under that version's hash tag (its queue and the
 * routers' reply lists for it), no channels, no other command. Every listed password is valid (rotation keeps the
 * previous one for a while).
 */
export function agentAclRules(ref: QueueRef, passwords: readonly string[], prefix: string = DEFAULT_KEY_PREFIX): string[] {
  return ['reset', 'on', ...passwordRules(passwords), `~${queueKeyPattern(ref, prefix)}`, 'resetchannels', '-@all', ...AGENT_COMMANDS.map((c) => `+${c}`)];
}

/** The router: every key and channel under the prefix (it queues to any version and waits on any reply list), no admin or dangerous command. */
export function routerAclRules(passwords: readonly string[], prefix: string = DEFAULT_KEY_PREFIX): string[] {
  return ['reset', 'on', ...passwordRules(passwords), `~${prefix}:*`, `&${prefix}:*`, '+@all', '-@dangerous', '+info'];
}

/** The controller (scaler, reaper): the router's rights plus ACL, to create and rotate the agents' users. */
export function controllerAclRules(passwords: readonly string[], prefix: string = DEFAULT_KEY_PREFIX): string[] {
  return [...routerAclRules(passwords, prefix), '+acl'];
}

/** A Redis URL for `user`/`password` on the server of `baseUrl` (its host, port, db and TLS scheme kept). */
export function redisUrlFor(baseUrl: string, user: string, password: string): string {
  const u = new URL(baseUrl);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export { agentUserName };
