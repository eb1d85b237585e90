// What a function can see of the machine: its own environment only, and no other process's environment or command line.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DEFAULT_RUNTIME_USER } from '../../src/agent/isolation.js';
import { fixtureSpec, invocation, memoryLogger } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';

const environment = useEnvironments();
const isRoot = process.getuid?.() === 0;
const linux = process.platform === 'linux';

/** A process of the host holding a secret in its environment and its command line, as klambda dev, an agent or a shell would. */
let host: ChildProcess;
const canary = `canary-${randomBytes(8).toString('hex')}`;
beforeAll(() => {
  host = spawn('sh', ['-c', `sleep 300; echo ${canary}`], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SECRET: canary }, stdio: 'ignore' });
});
afterAll(() => {
  host.kill('SIGKILL');
});

interface Probe {
  pids: number[];
  environsRead: number;
  cmdlinesRead: number;
  canaryInEnviron: boolean;
  canaryInCmdline: boolean;
  uid: number;
  groups: number[];
  ownEnvironment: string[];
}

async function probe(options: Parameters<typeof environment>[2] = {}): Promise<{ seen: Probe; records: object[] }> {
  const spec = fixtureSpec('node-sandbox', 'nodejs20', 'index.probe');
  const logger = memoryLogger();
  const { env } = environment(spec, undefined, { logger, ...options });
  const res = await env.invoke(invocation(spec, { canary }));
  expect(res.outcome).toBe('ok');
  return { seen: JSON.parse(res.payload) as Probe, records: logger.records };
}

/** The variables Lambda gives a nodejs20 runtime (runtime-launch.ts) and the trace id its runtime client sets. */
const LAMBDA_VARIABLES = [
  'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_RUNTIME_API', 'AWS_REGION', 'HOME',
  'LAMBDA_RUNTIME_DIR', 'LAMBDA_TASK_ROOT', 'LANG', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED', 'TMPDIR', 'TZ', '_HANDLER', '_X_AMZN_TRACE_ID',
];

describe('a function sealed in its environment (the default)', () => {
  it('sees only its own processes: no other environment or command line, not even of the agent that started it', async () => {
    const { seen, records } = await probe();
    expect(seen.canaryInEnviron).toBe(false);
    if (!linux) return; // macOS: no namespaces (README: what the local mode seals)
    expect(records).toContainEqual(expect.objectContaining({ msg: 'runtime isolation', isolation: expect.stringMatching(/^pid(\+user)? namespace/) }));
    expect(seen.pids).toEqual([1]); // itself, the init of its own PID namespace, and nothing else
    expect(seen.environsRead + seen.cmdlinesRead).toBe(0);
    expect(seen.canaryInCmdline).toBe(false);
  });

  it('runs as the unprivileged runtime user when klambda runs as root, without root\'s groups', async () => {
    const { seen } = await probe();
    if (!isRoot || !linux) {
      expect(seen.uid).toBe(process.getuid?.());
      return;
    }
    expect(seen.uid).toBe(DEFAULT_RUNTIME_USER.uid);
    expect(seen.groups).toEqual([DEFAULT_RUNTIME_USER.gid]);
  });

  it("has exactly Lambda's variables and its own: nothing of the agent's environment", async () => {
    process.env.KLAMBDA_AGENT_ONLY = 'secret';
    const { seen } = await probe().finally(() => delete process.env.KLAMBDA_AGENT_ONLY);
    expect(seen.ownEnvironment).toEqual(LAMBDA_VARIABLES);
  });

  it("keeps the function's own variables beside Lambda's, in node and in python", async () => {
    const node = fixtureSpec('node-sandbox', 'nodejs20', 'index.probe', { environment: { GREETING: 'hi' } });
    const { env: nodeEnv } = environment(node);
    const seen = JSON.parse((await nodeEnv.invoke(invocation(node, { canary }))).payload) as Probe;
    expect(seen.ownEnvironment).toEqual([...LAMBDA_VARIABLES, 'GREETING'].sort());

    const spec = fixtureSpec('python', 'python3.11', 'app.environment', { environment: { GREETING: 'hi' } });
    const { env } = environment(spec);
    process.env.KLAMBDA_AGENT_ONLY = 'secret';
    const res = await env.invoke(invocation(spec)).finally(() => delete process.env.KLAMBDA_AGENT_ONLY);
    // What the interpreter adds itself: python's locale coercion (PEP 538), a pyenv shim's own variables and its shell's.
    const addedByInterpreter = /^(LC_CTYPE|_?PYENV_\w+|PWD|SHLVL)$/;
    const names = (JSON.parse(res.payload) as string[]).filter((n) => !addedByInterpreter.test(n));
    expect(names).toEqual([...LAMBDA_VARIABLES, 'GREETING'].sort());
  });
});

describe('klambda run by a user who is not root', () => {
  // Root runs the probe as an unprivileged user (65534) in a process of its own: the agent of a developer's laptop.
  (isRoot && linux ? it : it.skip)('seals the runtime in a PID and user namespace, as that user', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'test/helpers/probe-environment.ts', canary], {
        uid: DEFAULT_RUNTIME_USER.uid, gid: DEFAULT_RUNTIME_USER.gid, env: { PATH: '/usr/bin:/bin', HOME: '/tmp' }, timeout: 60_000,
      }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    const { records, probe: seen } = JSON.parse(out) as { records: object[]; probe: Probe };
    expect(records).toContainEqual(expect.objectContaining({ msg: 'runtime isolation', isolation: 'pid+user namespace' }));
    expect(seen.pids).toEqual([1]);
    expect(seen.uid).toBe(DEFAULT_RUNTIME_USER.uid); // mapped to itself: no root, no capability inside its namespace
    expect(seen.canaryInEnviron || seen.canaryInCmdline).toBe(false);
  }, 60_000);
});

describe('the fallbacks, where the kernel allows no namespace', () => {
  (isRoot && linux ? it : it.skip)('as another uid only: it sees the machine\'s processes but cannot read their environment', async () => {
    const { seen, records } = await probe({ isolation: { namespaces: false } });
    expect(records).toContainEqual(expect.objectContaining({ msg: 'runtime isolation', isolation: `uid ${DEFAULT_RUNTIME_USER.uid}` }));
    expect(seen.uid).toBe(DEFAULT_RUNTIME_USER.uid);
    expect(seen.pids.length).toBeGreaterThan(1);
    expect(seen.canaryInEnviron).toBe(false); // the environment of another user's process is not readable…
    expect(seen.canaryInCmdline).toBe(true); // …but command lines are, without a PID namespace (README says so)
  });

  it('as a plain child process it is logged as unsealed', async () => {
    const { records } = await probe({ isolation: { namespaces: false, runtimeUser: 'agent' } });
    expect(records).toContainEqual(expect.objectContaining({ msg: 'runtime isolation', isolation: 'none' }));
  });
});
