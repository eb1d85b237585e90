// Parsing /proc and ps, walking a process tree, and splitting output into bounded lines.
import { LineSplitter } from '../../src/agent/line-splitter.js';
import { childrenIndex, descendantsOf, parsePs, parseStat, parseStatus, parseStatusMemory } from '../../src/agent/process-table.js';
import { overLimit } from '../../src/agent/runtime-tree.js';

describe('/proc parsers', () => {
  it('reads stat fields after a command name holding spaces and parentheses', () => {
    const stat = '4242 (my (odd) name) S 4200 4242 4100 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000000 250 18446744073709551615';
    expect(parseStat(4242, stat)).toEqual({ pid: 4242, ppid: 4200, pgid: 4242, sid: 4100, startTime: '987654', zombie: false });
    expect(parseStat(7, '7 (z) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0')?.zombie).toBe(true);
  });

  it('reads VmRSS and VmHWM in kB', () => {
    expect(parseStatusMemory('Name:\tnode\nVmHWM:\t  131072 kB\nVmRSS:\t   65536 kB\n')).toEqual({ rssKB: 65536, hwmKB: 131072 });
    expect(parseStatusMemory('Name:\tkthreadd\n')).toEqual({ rssKB: 0, hwmKB: 0 });
  });

  it('reads ps output', () => {
    expect(parsePs('  1     0     1  1024\n 20     1    20  2048\n')).toEqual([
      { pid: 1, ppid: 0, pgid: 1, sid: 0, startTime: '', zombie: false, rssKB: 1024 },
      { pid: 20, ppid: 1, pgid: 20, sid: 0, startTime: '', zombie: false, rssKB: 2048 },
    ]);
  });
});

describe('descendantsOf', () => {
  it('walks the tree below a process, breadth first, and survives a loop', () => {
    const rows = [[2, 1], [3, 1], [4, 2], [5, 4], [9, 8]].map(([pid, ppid]) => ({ pid: pid!, ppid: ppid!, pgid: 0, sid: 0, startTime: '', zombie: false, rssKB: 0 }));
    expect(descendantsOf(1, childrenIndex(rows))).toEqual([2, 3, 4, 5]);
    expect(descendantsOf(1, (p) => (p === 1 ? [2] : [1]))).toEqual([2]);
  });
});

describe('overLimit', () => {
  it('compares a peak in kB with memoryMB', () => {
    expect(overLimit(128 * 1024, 128)).toBe(false);
    expect(overLimit(128 * 1024 + 1, 128)).toBe(true);
    expect(overLimit(1e9, undefined)).toBe(false);
  });
});

describe('LineSplitter', () => {
  it('passes on lines, keeps a partial one, and cuts a line without newline at the cap', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => void lines.push(l), 8);
    s.write('ab\r\ncd');
    s.write('ef\n');
    s.write('0123456789abcdefghij');
    expect(lines).toEqual(['ab', 'cdef', '01234567', '89abcdef']);
    s.flush();
    expect(lines.at(-1)).toBe('ghij');
  });

  it('returns the promise of a full sink', async () => {
    const full = Promise.resolve();
    const s = new LineSplitter(() => full);
    expect(s.write('a\nb\n')).toBe(full);
    expect(new LineSplitter(() => undefined).write('a\n')).toBeUndefined();
  });
});

describe('ProcTreeReader (this process, from the real /proc)', () => {
  (process.platform === 'linux' ? it : it.skip)('reads a child with its memory, the same as a fresh read, and forgets it once it is gone', async () => {
    const { spawn } = await import('node:child_process');
    const { ProcTreeReader, procProcessesBelow } = await import('../../src/agent/process-table.js');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const reader = new ProcTreeReader();
    try {
      const [row] = reader.below(process.pid, false).filter((r) => r.pid === child.pid);
      expect(row).toMatchObject({ pid: child.pid, ppid: process.pid, zombie: false });
      expect(row!.rssKB).toBeGreaterThan(0);
      expect(procProcessesBelow(process.pid).find((r) => r.pid === child.pid)?.startTime).toBe(row!.startTime);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(reader.below(process.pid, false).some((r) => r.pid === child.pid)).toBe(false);
    } finally {
      reader.close();
      child.kill('SIGKILL');
    }
  });
});

describe('parseStatus', () => {
  it('reads PPid, State and memory', () => {
    expect(parseStatus('Name:\tx\nState:\tZ (zombie)\nPPid:\t42\nVmHWM:\t 10 kB\nVmRSS:\t 8 kB\n')).toEqual({ ppid: 42, zombie: true, rssKB: 8, hwmKB: 10 });
  });
});
