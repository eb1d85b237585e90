// Unit tests of the runtime command lines and environments.
import type { EnvironmentSpec } from '../../src/core/environment-spec.js';
import {
  clientContextHeader, logStreamName, maxOldSpaceMB, runtimeCommand, runtimeEnvironment,
} from '../../src/agent/runtime-launch.js';

const spec = (over: Partial<EnvironmentSpec> = {}): EnvironmentSpec => ({
  functionName: 'hello', version: '3', runtime: 'nodejs20', handler: 'index.handler', codeDir: '/code', memoryMB: 1024,
  timeoutSeconds: 3, ephemeralStorageMB: 512, environment: {}, region: 'eu-west-1', accountId: '000000000000',
  functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:hello', ...over,
});
const paths = { nodePath: '/usr/bin/node', pythonPath: 'python3', runtimesDir: '/pkg/src/agent/runtimes' };
const inputs = { runtimeApi: '127.0.0.1:4321', runtimesDir: paths.runtimesDir, tmpDir: '/tmp/env1', logStreamName: 's', hostPath: '/usr/bin:/bin' };

describe('runtime command line', () => {
  it('runs node with ~90% of the memory as old space, on our bootstrap', () => {
    expect(runtimeCommand(spec(), paths)).toEqual({ command: '/usr/bin/node', args: ['--max-old-space-size=921', '/pkg/src/agent/runtimes/nodejs/bootstrap.mjs'] });
    expect(maxOldSpaceMB(128)).toBe(115);
  });

  it('runs python unbuffered on our bootstrap', () => {
    expect(runtimeCommand(spec({ runtime: 'python3.11' }), paths)).toEqual({ command: 'python3', args: ['-u', '/pkg/src/agent/runtimes/python/bootstrap.py'] });
  });

  it('runs the bootstrap of a provided function', () => {
    expect(runtimeCommand(spec({ runtime: 'provided' }), paths)).toEqual({ command: '/code/bootstrap', args: [] });
  });
});

describe('runtime environment', () => {
  it("sets Lambda's variables", () => {
    const env = runtimeEnvironment(spec(), inputs);
    expect(env).toMatchObject({
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:4321', _HANDLER: 'index.handler', LAMBDA_TASK_ROOT: '/code',
      LAMBDA_RUNTIME_DIR: '/pkg/src/agent/runtimes/nodejs', AWS_LAMBDA_FUNCTION_NAME: 'hello', AWS_LAMBDA_FUNCTION_VERSION: '3',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x', AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/hello', AWS_LAMBDA_LOG_STREAM_NAME: 's',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', TZ: ':UTC', LANG: 'en_US.UTF-8', PATH: '/usr/bin:/bin', HOME: '/tmp/env1', TMPDIR: '/tmp/env1',
    });
    expect(runtimeEnvironment(spec({ runtime: 'python3.11' }), inputs).AWS_EXECUTION_ENV).toBe('AWS_Lambda_python3.11');
    expect(runtimeEnvironment(spec({ runtime: 'provided' }), inputs).AWS_EXECUTION_ENV).toBeUndefined();
  });

  it("lets the function's variables override the defaults but not the reserved ones", () => {
    const env = runtimeEnvironment(spec({ environment: { TZ: 'Europe/Paris', GREETING: 'hi', AWS_REGION: 'mars-1', _HANDLER: 'evil.handler' } }), inputs);
    expect(env.TZ).toBe('Europe/Paris');
    expect(env.GREETING).toBe('hi');
    expect(env.AWS_REGION).toBe('eu-west-1');
    expect(env._HANDLER).toBe('index.handler');
  });

  it("leaks nothing else from the agent's environment", () => {
    process.env.KLAMBDA_SECRET_FOR_TEST = 'x';
    try {
      expect(runtimeEnvironment(spec(), inputs).KLAMBDA_SECRET_FOR_TEST).toBeUndefined();
    } finally {
      delete process.env.KLAMBDA_SECRET_FOR_TEST;
    }
  });

  it("finds the function's layers where Lambda puts them under /opt", () => {
    const node = runtimeEnvironment(spec({ optDir: '/opt' }), { ...inputs, hostLdLibraryPath: '/usr/lib' });
    expect(node).toMatchObject({
      PATH: '/usr/bin:/bin:/opt/bin', LD_LIBRARY_PATH: '/usr/lib:/opt/lib', NODE_PATH: '/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules',
    });
    expect(node.PYTHONPATH).toBeUndefined();
    const python = runtimeEnvironment(spec({ runtime: 'python3.11', optDir: '/x/opt' }), inputs);
    expect(python).toMatchObject({ PATH: '/usr/bin:/bin:/x/opt/bin', LD_LIBRARY_PATH: '/x/opt/lib', PYTHONPATH: '/x/opt/python/lib/python3.11/site-packages:/x/opt/python' });
    expect(python.NODE_PATH).toBeUndefined();
    // the function's own variables still win over these defaults
    expect(runtimeEnvironment(spec({ optDir: '/opt', environment: { NODE_PATH: '/mine' } }), inputs).NODE_PATH).toBe('/mine');
    const none = runtimeEnvironment(spec(), inputs);
    expect([none.NODE_PATH, none.PYTHONPATH, none.LD_LIBRARY_PATH, none.PATH]).toEqual([undefined, undefined, undefined, '/usr/bin:/bin']);
  });

  it('names the log stream by date, version and id', () => {
    expect(logStreamName(new Date('2024-01-31T23:00:00Z'), '$LATEST', 'abc')).toBe('2024/01/31/[$LATEST]abc');
  });

  it('decodes the client context to JSON text a header can carry', () => {
    const b64 = Buffer.from(JSON.stringify({ custom: { name: 'héllo' } })).toString('base64');
    const header = clientContextHeader(b64);
    expect(header).toBe('{"custom":{"name":"h\\u00e9llo"}}');
    expect(JSON.parse(header ?? '')).toEqual({ custom: { name: 'héllo' } });
    expect(clientContextHeader(Buffer.from('not json').toString('base64'))).toBeUndefined();
    expect(clientContextHeader(undefined)).toBeUndefined();
  });
});
