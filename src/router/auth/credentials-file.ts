// The local mode's key file: AWS's credentials-file format ([name], aws_access_key_id, aws_secret_access_key) plus a
// klambda_policy (JSON) or klambda_policy_file; parsed purely, loaded and reloaded on change by FileKeyStore.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parsePolicy, PolicyError, type PolicyDocument } from '../../core/iam-policy.js';
import type { Logger } from '../../core/logger.js';
import type { AccessKey, KeyStore } from './principal.js';

export interface CredentialProfile {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** klambda_policy: IAM policy JSON, inline. */
  policy?: string;
  /** klambda_policy_file: a file holding the policy JSON, relative to the key file. */
  policyFile?: string;
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

export const ACCESS_KEY_ID = /^[\w+=,.@-]{1,128}$/;
const KNOWN = new Set(['aws_access_key_id', 'aws_secret_access_key', 'klambda_policy', 'klambda_policy_file']);

/**
 * Parses the INI text: `[name]` (or `[profile name]`) sections of `key = value` lines; `#` and `;` start comments;
 * an indented line continues the value above (so a policy can span lines). Other aws_* keys (region, …) are ignored.
 */
export function parseCredentialsFile(text: string, file = 'the key file'): CredentialProfile[] {
  const sections: Array<{ name: string; line: number; values: Map<string, string> }> = [];
  let lastKey: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    if (/^\s*([#;].*)?$/.test(raw)) return;
    const section = sections[sections.length - 1];
    if (/^\s/.test(raw) && section && lastKey !== undefined) {
      section.values.set(lastKey, `${section.values.get(lastKey)}\n${raw.trim()}`);
      return;
    }
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]\s*$/.exec(raw);
    if (header) {
      if (sections.some((s) => s.name === header[1])) throw new KeyFileError(`${where}: profile [${header[1]}] appears twice`);
      sections.push({ name: header[1]!, line: i + 1, values: new Map() });
      lastKey = undefined;
      return;
    }
    const kv = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(raw.trim());
    if (!kv) throw new KeyFileError(`${where}: expected [profile] or key = value`);
    if (!section) throw new KeyFileError(`${where}: ${kv[1]} is outside any [profile]`);
    const key = kv[1]!.toLowerCase();
    if (key.startsWith('klambda_') && !KNOWN.has(key)) throw new KeyFileError(`${where}: unknown setting ${kv[1]} (klambda_policy, klambda_policy_file)`);
    section.values.set(key, kv[2]!.trim());
    lastKey = key;
  });
  const seen = new Set<string>();
  return sections.map(({ name, line, values }) => {
    const id = values.get('aws_access_key_id');
    const secret = values.get('aws_secret_access_key');
    const where = `${file}:${line} [${name}]`;
    if (!id || !secret) throw new KeyFileError(`${where}: needs aws_access_key_id and aws_secret_access_key`);
    if (!ACCESS_KEY_ID.test(id)) throw new KeyFileError(`${where}: aws_access_key_id may hold letters, digits and _+=,.@- only (1..128)`);
    if (seen.has(id)) throw new KeyFileError(`${where}: access key ${id} appears in two profiles`);
    seen.add(id);
    if (values.has('klambda_policy') && values.has('klambda_policy_file')) throw new KeyFileError(`${where}: klambda_policy and klambda_policy_file are exclusive`);
    const profile: CredentialProfile = { name, accessKeyId: id, secretAccessKey: secret };
    const policy = values.get('klambda_policy');
    const policyFile = values.get('klambda_policy_file');
    if (policy !== undefined) profile.policy = policy;
    if (policyFile !== undefined) profile.policyFile = policyFile;
    return profile;
  });
}

export interface FileKeyStoreOptions {
  /** The local mode's one namespace and its account id. */
  namespace: string;
  accountId: string;
  logger: Logger;
  /** How often the file's mtime is looked at (default 500 ms). */
  pollMs?: number;
}

/** Reads the key file (and the policy files it names) into AccessKeys. Throws KeyFileError on anything wrong. */
export function loadKeyFile(file: string, opts: Pick<FileKeyStoreOptions, 'namespace' | 'accountId'>): Map<string, AccessKey> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeyFileError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const keys = new Map<string, AccessKey>();
  for (const p of parseCredentialsFile(text, file)) {
    let policy: PolicyDocument | undefined;
    try {
      if (p.policy !== undefined) policy = parsePolicy(p.policy);
      if (p.policyFile !== undefined) policy = parsePolicy(readFileSync(resolve(dirname(file), p.policyFile), 'utf8'));
    } catch (e) {
      if (e instanceof PolicyError || (e instanceof Error && 'code' in e)) throw new KeyFileError(`${file} [${p.name}]: ${e.message}`);
      throw e;
    }
    const key: AccessKey = { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, userName: p.name, namespace: opts.namespace, accountId: opts.accountId };
    if (policy) key.policy = policy;
    keys.set(key.accessKeyId, key);
  }
  return keys;
}

/** The keys of `klambda dev --auth FILE`, reloaded when the file changes; a file with errors keeps the last good keys. */
export class FileKeyStore implements KeyStore {
  private keys: Map<string, AccessKey>;
  private readonly onChange = (): void => this.reload();

  constructor(readonly file: string, private readonly opts: FileKeyStoreOptions) {
    this.keys = loadKeyFile(file, opts);
    watchFile(file, { interval: opts.pollMs ?? 500, persistent: false }, this.onChange);
  }

  find(accessKeyId: string): AccessKey | undefined {
    return this.keys.get(accessKeyId);
  }

  get size(): number { return this.keys.size; }

  reload(): void {
    try {
      this.keys = loadKeyFile(this.file, this.opts);
      this.opts.logger.info({ msg: 'access keys reloaded', file: this.file, keys: this.keys.size });
    } catch (e) {
      this.opts.logger.error({ msg: 'access keys not reloaded: the file has errors; the last good keys stay in use', file: this.file, error: e instanceof Error ? e.message : String(e) });
    }
  }

  close(): void {
    unwatchFile(this.file, this.onChange);
  }
}
