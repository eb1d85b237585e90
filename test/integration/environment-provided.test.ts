// Custom runtimes: any program speaking the Runtime API runs unchanged (a bash+curl bootstrap, AWS's awslambdaric).
import { spawnSync } from 'node:child_process';
import { decodeTail, fixtureSpec, invocation } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';

const environment = useEnvironments();

describe('provided runtime: bash and curl, as in the AWS custom runtime tutorial', () => {
  it('serves invocations through its bootstrap', async () => {
    const spec = fixtureSpec('provided-bash', 'provided', 'function.handler');
    const { env } = environment(spec);
    await env.start();
    const inv = invocation(spec, { hello: 'bash' }, { logTail: true });
    const res = await env.invoke(inv);
    expect(res.outcome).toBe('ok');
    expect(JSON.parse(res.payload)).toEqual({ bash: true, handler: 'function.handler', received: { hello: 'bash' } });
    expect(decodeTail(res.logResult)).toContain(`processing ${inv.requestId}`);
    const again = await env.invoke(invocation(spec, { n: 2 }));
    expect(JSON.parse(again.payload).received).toEqual({ n: 2 });
  });
});

// The test suite needs AWS's own runtime interface client (.ci/run installs it): it fails, never skips, without it.
const ric = spawnSync('python3', ['-c', 'import awslambdaric'], { stdio: 'ignore' }).status === 0;

describe("provided runtime: AWS's Python runtime interface client (awslambdaric), unchanged", () => {
  it('has awslambdaric to run (pip install awslambdaric==4.2.2)', () => {
    expect(ric).toBe(true);
  });

  it('serves invocations and warm state', async () => {
    const spec = fixtureSpec('provided-ric', 'provided', 'app.handler');
    // Its bootstrap runs `python3 -m awslambdaric`: the python that has it (pip-installed for root, often under /root)
    // must be the one the runtime finds, so the runtime keeps the agent's uid (in its namespace, without capabilities).
    const { env } = environment(spec, undefined, { isolation: { runtimeUser: 'agent' } });
    const inv = invocation(spec, { via: 'ric' }, { logTail: true });
    const res = await env.invoke(inv);
    expect(res.outcome).toBe('ok');
    expect(JSON.parse(res.payload)).toEqual({ ric: true, count: 1, event: { via: 'ric' }, request_id: inv.requestId, remaining_ok: true });
    expect(decodeTail(res.logResult)).toContain('hello from awslambdaric');
    expect(JSON.parse((await env.invoke(invocation(spec))).payload).count).toBe(2);
  });
});
