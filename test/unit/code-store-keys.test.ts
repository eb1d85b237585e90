// The code store's package keys: packages/<namespace>/<hex sha256>.zip, and the digest a key names only when it is
// exactly one of that namespace's package keys.
import { createHash } from 'node:crypto';
import { isPackageKey, packageKey, packageKeyDigest } from '../../src/code/code-store.js';

const digestOf = (s: string): string => createHash('sha256').update(s).digest('base64');
const SHA = digestOf('a package');
const HEX = Buffer.from(SHA, 'base64').toString('hex');

describe('packageKey', () => {
  it('names the package by namespace and lower-case hex SHA-256 under packages/', () => {
    expect(packageKey('team-a', SHA)).toBe(`packages/team-a/${HEX}.zip`);
    expect(HEX).toMatch(/^[0-9a-f]{64}$/);
    expect(isPackageKey(packageKey('team-a', SHA))).toBe(true);
  });

  it('gives distinct digests distinct keys, the digest always one path segment', () => {
    // base64 is case-sensitive and holds "/" and "+": hex keeps every digest one plain, distinct path segment
    const shas = ['a', 'b', 'c', 'd', 'e'].map(digestOf);
    const keys = shas.map((s) => packageKey('team-a', s));
    expect(new Set(keys).size).toBe(shas.length);
    for (const k of keys) expect(k.split('/')).toHaveLength(3);
  });
});

describe('packageKeyDigest', () => {
  it('gives back the base64 digest of the namespace\'s own key (round trip)', () => {
    for (const s of [SHA, digestOf('x'), digestOf('y')]) {
      expect(packageKeyDigest('team-a', packageKey('team-a', s))).toBe(s);
    }
  });

  it('refuses another namespace\'s key, including one whose name is a prefix or extension of it', () => {
    expect(packageKeyDigest('team-b', packageKey('team-a', SHA))).toBeUndefined();
    expect(packageKeyDigest('team', packageKey('team-a', SHA))).toBeUndefined();
    expect(packageKeyDigest('team-a', packageKey('team', SHA))).toBeUndefined();
  });

  it('refuses a malformed hex digest: too short, too long, not hex', () => {
    expect(packageKeyDigest('team-a', `packages/team-a/${HEX.slice(1)}.zip`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `packages/team-a/${HEX}0.zip`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `packages/team-a/${'g'.repeat(64)}.zip`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `packages/team-a/${SHA}.zip`)).toBeUndefined();
  });

  it('refuses upper-case hex (keys are case-sensitive: it is not the key packageKey makes)', () => {
    expect(packageKeyDigest('team-a', `packages/team-a/${HEX.toUpperCase()}.zip`)).toBeUndefined();
  });

  it('refuses extra path segments, another prefix or another suffix', () => {
    expect(packageKeyDigest('team-a', `packages/team-a/sub/${HEX}.zip`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `packages/team-a/../team-a/${HEX}.zip`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `x/packages/team-a/${HEX}.zip`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `/packages/team-a/${HEX}.zip`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `packages/team-a/${HEX}.zip/more`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `packages/team-a/${HEX}.zip.bak`)).toBeUndefined();
    expect(packageKeyDigest('team-a', `packages/team-a/${HEX}`)).toBeUndefined();
  });
});
