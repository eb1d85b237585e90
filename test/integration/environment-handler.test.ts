// A handler names a file of the function's code and nothing else: the runtimes refuse '..', absolute paths and symlinks out (defence in depth beside the API's validation).
import { InitError } from '../../src/agent/runtime-errors.js';
import { FIXTURES_DIR, fixtureSpec, invocation } from '../fixtures/functions/specs.js';
import { useEnvironments } from '../helpers/environments.js';

const environment = useEnvironments();

async function initError(runtime: 'nodejs20' | 'python3.11', handler: string): Promise<InitError> {
  const { env } = environment(fixtureSpec('escape', runtime, handler));
  const err = await env.start().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(InitError);
  return err as InitError;
}

describe('nodejs20', () => {
  it.each(['../node-esm/index.handler', 'sub/../../node-esm/index.handler', `${FIXTURES_DIR}/node-esm/index.handler`])(
    'refuses %s with Runtime.MalformedHandlerName', async (handler) => {
      const err = await initError('nodejs20', handler);
      expect(err.errorType).toBe('Runtime.MalformedHandlerName');
      expect(err.errorMessage).toContain("it must name a file inside the function's code");
    });

  it('refuses a module that is a symlink out of the code with Runtime.ImportModuleError', async () => {
    const err = await initError('nodejs20', 'outside.handler');
    expect(err.errorType).toBe('Runtime.ImportModuleError');
    expect(err.errorMessage).toBe("Error: Cannot find module 'outside': it leads outside the function's code");
  });

  it('still runs a handler inside the code', async () => {
    const spec = fixtureSpec('escape', 'nodejs20', 'inside.handler');
    const { env } = environment(spec);
    expect(JSON.parse((await env.invoke(invocation(spec))).payload)).toBe('inside');
  });
});

describe('python3.11', () => {
  it.each(['../python/app.handler', `${FIXTURES_DIR}/python/app.handler`])('refuses %s with Runtime.MalformedHandlerName', async (handler) => {
    const err = await initError('python3.11', handler);
    expect(err.errorType).toBe('Runtime.MalformedHandlerName');
    expect(err.errorMessage).toContain("it must name a file inside the function's code");
  });

  it('refuses a module that is a symlink out of the code, before running any of it', async () => {
    const err = await initError('python3.11', 'outside.handler');
    expect(err).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'outside': its file leads outside the function's code" });
  });

  it('refuses modules of the standard library and built-in ones, as they are not the function\'s code', async () => {
    expect(await initError('python3.11', 'json.loads')).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'json': No module named 'json'" });
    expect(await initError('python3.11', 'sys.exit')).toMatchObject({ errorType: 'Runtime.BuiltInModuleConflict' });
  });

  it('still runs a handler inside the code', async () => {
    const spec = fixtureSpec('escape', 'python3.11', 'inside_py.handler');
    const { env } = environment(spec);
    expect(JSON.parse((await env.invoke(invocation(spec))).payload)).toBe('inside');
  });
});
