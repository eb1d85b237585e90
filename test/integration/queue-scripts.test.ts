// The Lua scripts of the work queues keep their conventions: verb-<numKeys>.lua, a contract comment, and exactly that many keys.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { commandsDir, scriptSources } from '../../src/queue/scripts.js';

describe('queue scripts', () => {
  it('are read from the package src/queue/commands folder', () => {
    expect(commandsDir()).toBe(join(packageRoot(), 'src', 'queue', 'commands'));
    expect(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'))).toMatchObject({ name: 'klambda' });
  });

  it('finds the package root from a file deep inside it', () => {
    expect(packageRoot(new URL('../../src/queue/commands/ack-7.lua', import.meta.url).href)).toBe(packageRoot());
  });

  it('are all named verb-<numKeys>.lua', () => {
    const files = readdirSync(commandsDir());
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^[a-z][A-Za-z]*-\d+\.lua$/);
    expect([...scriptSources().keys()].sort()).toEqual(['ack', 'appendStream', 'complete', 'enqueue', 'extendLease', 'giveUp', 'moveToActive', 'promote', 'reclaim', 'release', 'retry', 'setRoute']);
  });

  it.each([...scriptSources().values()].map((s) => [s.file, s] as const))('%s states its contract and uses exactly the keys its name declares', (_file, s) => {
    const header = s.lua.split('\n').filter((l) => l.startsWith('--')).join('\n');
    expect(header).toMatch(/-- Input:/);
    expect(header).toMatch(/-- Output:/);
    for (let i = 1; i <= s.numberOfKeys; i++) expect(header).toContain(`KEYS[${i}]`);
    const used = [...s.lua.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(Math.max(...used)).toBe(s.numberOfKeys);
    expect(new Set(used).size).toBe(s.numberOfKeys);
    expect(s.lua).not.toMatch(/\bKEYS\[[^\]]*[^\d\]][^\]]*\]/); // no computed key names: Cluster needs them all declared
  });
});
