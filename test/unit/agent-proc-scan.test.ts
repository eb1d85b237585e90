// The /proc reading the pod mode finds the function's processes with: the owner, and the roots of a set.
import { parseUid, rootsOf, type ProcEntry } from '../../src/agent/proc-scan.js';

describe('parseUid', () => {
  it('reads the real uid of a status file, and nothing from what is not one', () => {
    const status = ['Name:\tnode', 'State:\tS (sleeping)', 'PPid:\t7', 'Uid:\t10002\t0\t0\t0', 'Gid:\t10002\t10002\t10002\t10002', ''].join('\n');
    expect(parseUid(status)).toBe(10002);
    expect(parseUid('hello')).toBeUndefined();
  });
});

describe('rootsOf', () => {
  const entry = (pid: number, ppid: number): ProcEntry => ({ pid, ppid, uid: 10002, zombie: false, identity: `${pid}:1`, vmHwmKb: 0, vmRssKb: 0 });

  it('finds the processes whose parent is outside the set: the container\'s first process and orphans', () => {
    expect(rootsOf([entry(10, 0), entry(11, 10), entry(12, 11), entry(20, 1)]).map((e) => e.pid)).toEqual([10, 20]);
  });
});
