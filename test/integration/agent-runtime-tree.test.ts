// The memory a REPORT gives when an invocation ends before the watchdog's poll has seen the runtime: a runtime in its
// own PID namespace that appears after the first poll is found when the figure is asked for, not reported as 0 MB.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RuntimeTree } from '../../src/agent/runtime-tree.js';
import { waitFor } from '../helpers/wait.js';

const asRoot = process.getuid?.() === 0;
const children = (pid: number) => {
  try { return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean); } catch { return []; }
};

(asRoot ? it : it.skip)('finds a runtime that started after the last poll when Max Memory Used is asked for', async () => {
  // the launcher becomes unshare after a moment (no child before), so the tree's first poll finds no runtime yet
  const runtime = 'import time; x = b"x" * (32 << 20); time.sleep(30)';
  const launcher = spawn('/usr/bin/python3', ['-c', `import os, time; time.sleep(0.3); os.execvp("unshare", ["unshare", "--pid", "--fork", "/usr/bin/python3", "-c", ${JSON.stringify(runtime)}])`], { stdio: 'ignore' });
  const tree = new RuntimeTree({ launcherPid: launcher.pid!, pidNamespace: true, pollMs: 600_000, onOverLimit: () => undefined });
  try {
    tree.start();
    await waitFor(() => (children(launcher.pid!).length > 0 ? true : undefined), 10_000, 'the runtime forked', 20);
    // python has touched its 32 MB once its VmHWM passes it
    await waitFor(() => (tree.maxMemoryMB() >= 32 ? true : undefined), 10_000, 'Max Memory Used of the runtime', 50);
  } finally {
    tree.stop();
    // the namespace's init goes with it: the kernel ends the rest
    for (const pid of children(launcher.pid!)) process.kill(Number(pid), 'SIGKILL');
    launcher.kill('SIGKILL');
  }
});
