// The pure parts of a cgroup v2 memory limit: finding the hierarchy, its memory controller, OOM kills, the mover.
import { cgroup2Mount, hasMemoryController, inCgroup, oomKills } from '../../src/agent/memory-cgroup.js';

describe('memory cgroup', () => {
  it('finds the cgroup v2 mount point in mountinfo', () => {
    const mountinfo = [
      '25 30 0:22 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory',
      '31 25 0:26 / /sys/fs/cgroup/unified rw,relatime shared:10 - cgroup2 cgroup2 rw',
    ].join('\n');
    expect(cgroup2Mount(mountinfo)).toBe('/sys/fs/cgroup/unified');
    expect(cgroup2Mount('25 30 0:22 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory')).toBeUndefined();
  });

  it('reads controller lists and OOM kills', () => {
    expect(hasMemoryController('cpuset cpu io memory pids\n')).toBe(true);
    expect(hasMemoryController('\n')).toBe(false);
    expect(oomKills('low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 1\n')).toBe(1);
    expect(oomKills('low 0\n')).toBe(0);
  });

  it('moves the launcher into the cgroup before anything of the function runs', () => {
    expect(inCgroup('/sys/fs/cgroup/klambda/env-1', { command: '/usr/bin/node', args: ['b.mjs'] })).toEqual({
      command: '/bin/sh', args: ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', '/sys/fs/cgroup/klambda/env-1', '/usr/bin/node', 'b.mjs'],
    });
  });
});
