// What klambda dev names when it reloads the folder: the functions whose spec, code, versions or aliases changed.
import { parseManifestDocuments } from '../../src/api/parse.js';
import { changedFunctions } from '../../src/local/manifest-changes.js';
import { ManifestSnapshot } from '../../src/local/manifest-snapshot.js';

const fn = (name: string, code = 'x', extra = '') =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: ${name}}\nspec:\n  runtime: python3.11\n  handler: app.handler\n  code: {inline: {app.py: "${code}"}}\n${extra}`;
const alias = (fnName: string, version: string) =>
  `apiVersion: klambda.dev/v1alpha1\nkind: Alias\nmetadata: {name: ${fnName}-live}\nspec: {functionName: ${fnName}, name: live, functionVersion: "${version}"}\n`;

const snapshot = (...docs: string[]): ManifestSnapshot => new ManifestSnapshot(
  parseManifestDocuments(docs.join('---\n'), 'f.yaml').map((d) => ({ object: d.object, file: '/f.yaml', source: d.source, document: d.document })));

it('names nothing when nothing changed', () => {
  expect(changedFunctions(snapshot(fn('hello'), fn('world')), snapshot(fn('world'), fn('hello')))).toEqual([]);
});

it('names a function whose code or settings changed, one added and one removed, sorted', () => {
  const before = snapshot(fn('hello'), fn('world'), fn('gone'));
  expect(changedFunctions(before, snapshot(fn('hello', 'y'), fn('world', 'x', '  timeoutSeconds: 9\n'), fn('added')))).toEqual(['added', 'gone', 'hello', 'world']);
});

it("names a function whose aliases changed", () => {
  expect(changedFunctions(snapshot(fn('hello'), alias('hello', '$LATEST')), snapshot(fn('hello'), alias('hello', '$LATEST')))).toEqual([]);
  expect(changedFunctions(snapshot(fn('hello')), snapshot(fn('hello'), alias('hello', '$LATEST')))).toEqual(['hello']);
});
