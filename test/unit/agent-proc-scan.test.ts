// The /proc parsers the pod mode finds the function's processes with.
import { parseStartTime, parseStatus, rootsOf, type ProcEntry } from '../../src/agent/proc-scan.js';

const status = ['Name:\tnode', 'Umask:\t0022', 'State:\tS (sleeping)', 'Tgid:\t42', 'Pid:\t42', 'PPid:\t7', 'TracerPid:\t0',
  'Uid:\t10002\t10002\t10002\t10002', 'Gid:\t10002\t10002\t10002\t10002', 'VmPeak:\t  999 kB', 'VmHWM:\t   51200 kB', 'VmRSS:\t   40960 kB', ''].join('\n');

describe('parseStatus', () => {
  it('reads the parent, the real uid, the state and the memory', () => {
    expect(parseStatus(status)).toEqual({ ppid: 7, uid: 10002, state: 'S', vmHwmKb: 51200, vmRssKb: 40960 });
  });

  it('reads a zombie (no memory lines) and refuses what is not a status file', () => {
    expect(parseStatus('Name:\tx\nState:\tZ (zombie)\nPPid:\t1\nUid:\t0\t0\t0\t0\n')).toEqual({ ppid: 1, uid: 0, state: 'Z', vmHwmKb: 0, vmRssKb: 0 });
    expect(parseStatus('hello')).toBeUndefined();
  });
});

describe('parseStartTime', () => {
  it('takes field 22, whatever the command name holds', () => {
    const fields = (comm: string) => `42 (${comm}) S 7 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615`;
    expect(parseStartTime(fields('node'))).toBe('987654');
    expect(parseStartTime(fields('a b) c'))).toBe('987654');
    expect(parseStartTime('garbage')).toBeUndefined();
  });
});

describe('rootsOf', () => {
  const entry = (pid: number, ppid: number): ProcEntry => ({ pid, ppid, uid: 10002, state: 'S', identity: `${pid}:1`, vmHwmKb: 0, vmRssKb: 0 });

  it('finds the processes whose parent is outside the set: the container\'s first process and orphans', () => {
    expect(rootsOf([entry(10, 0), entry(11, 10), entry(12, 11), entry(20, 1)]).map((e) => e.pid)).toEqual([10, 20]);
  });
});
