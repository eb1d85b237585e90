// Watching the folder: new files are picked up, a bad save is reported while the last good snapshot stays.
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestStore, type ManifestChange } from '../../src/local/manifest-store.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
let store: ManifestStore;
let changes: ManifestChange[];

const fn = (name: string, extra = '') =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: python3.11\n  handler: app.handler\n  code: {inline: {app.py: "x"}}\n${extra}`;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klambda-watch-'));
  writeFileSync(join(dir, 'first.yaml'), fn('first'));
  store = await ManifestStore.open(dir, { debounceMs: 50 });
  changes = [];
  store.watch((c) => changes.push(c));
});
afterEach(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

/** Waits until `check` holds (polling, no fixed sleeps). */
const until = (check: () => boolean, what: string, timeoutMs = 5000): Promise<true> => waitFor(() => check() || undefined, timeoutMs, what, 10);

it('sees a new file, in a new sub-folder too, and reports the new snapshot', async () => {
  writeFileSync(join(dir, 'second.yaml'), fn('second'));
  await until(() => store.getFunction('default', 'second') !== undefined, 'second to load');
  const last = changes.at(-1);
  expect(last?.snapshot?.getFunction('default', 'second')).toBeDefined();
  mkdirSync(join(dir, 'more'));
  writeFileSync(join(dir, 'more', 'third.yml'), fn('third'));
  await until(() => store.getFunction('default', 'third') !== undefined, 'third to load');
  unlinkSync(join(dir, 'second.yaml'));
  await until(() => store.getFunction('default', 'second') === undefined, 'second to go');
});

it('reports a bad save with its file and keeps serving the last good snapshot, then recovers', async () => {
  writeFileSync(join(dir, 'first.yaml'), fn('first', '  memoryMB: 1\n'));
  await until(() => changes.some((c) => c.error), 'the error');
  const err = changes.find((c) => c.error)!.error!;
  expect(err.message).toBe('first.yaml (document 1, line 8): spec.memoryMB: must be >= 128, got 1');
  expect(store.getFunction('default', 'first')?.spec.memoryMB).toBe(128);
  writeFileSync(join(dir, 'first.yaml'), fn('first', '  memoryMB: 1024\n'));
  await until(() => store.getFunction('default', 'first')?.spec.memoryMB === 1024, 'the fix');
  expect(changes.at(-1)?.snapshot).toBeDefined();
});
