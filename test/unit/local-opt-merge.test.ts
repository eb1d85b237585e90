// Unit tests of how a function's layers make one /opt: in order, later layers over earlier ones, as Lambda extracts them.
import { mergeLayers } from '../../src/code/layer-merge.js';
import { optFolderName } from '../../src/local/opt-folder.js';

const d = (name: string) => ({ name, kind: 'dir' as const });
const f = (name: string) => ({ name, kind: 'file' as const });
const l = (name: string) => ({ name, kind: 'link' as const });
const plan = (...listings: { name: string; kind: 'dir' | 'file' | 'link' }[][]) =>
  [...mergeLayers(listings).entries()].map(([name, e]) => `${name} ${e.kind} ${e.layer}`);

describe('merging layers into /opt', () => {
  it('merges folders and takes each file from the last layer that has it', () => {
    expect(plan(
      [d('bin'), f('bin/tool'), d('python'), f('python/a.py'), f('python/shared.py')],
      [d('python'), f('python/b.py'), f('python/shared.py')],
      [d('bin'), f('bin/tool')],
    )).toEqual(['bin dir 0', 'bin/tool file 2', 'python dir 0', 'python/a.py file 0', 'python/b.py file 1', 'python/shared.py file 1']);
  });

  it('a later file or link replaces an earlier folder with all it held; a later folder replaces an earlier file', () => {
    expect(plan([d('lib'), f('lib/a.so'), d('lib/x'), f('lib/x/b')], [f('lib')])).toEqual(['lib file 1']);
    expect(plan([d('lib'), f('lib/a.so')], [l('lib')])).toEqual(['lib link 1']);
    expect(plan([f('python')], [d('python'), f('python/m.py')])).toEqual(['python dir 1', 'python/m.py file 1']);
    expect(plan([f('python')], [f('python/m.py')])).toEqual(['python dir 1', 'python/m.py file 1']);
  });

  it('lists parents before their children', () => {
    const names = plan([d('a'), d('a/b'), f('a/b/c'), f('a-z'), f('a.txt')]).map((s) => s.split(' ')[0]);
    expect(names.indexOf('a')).toBeLessThan(names.indexOf('a/b'));
    expect(names.indexOf('a/b')).toBeLessThan(names.indexOf('a/b/c'));
  });

  it('names the merged folder after the layers in order: the same layers in another order are another /opt', () => {
    expect(optFolderName(['x', 'y'])).toMatch(/^[0-9a-f]{32}$/);
    expect(optFolderName(['x', 'y'])).toBe(optFolderName(['x', 'y']));
    expect(optFolderName(['x', 'y'])).not.toBe(optFolderName(['y', 'x']));
  });
});
