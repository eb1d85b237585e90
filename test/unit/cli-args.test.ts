import { parseCli, usageOf, UsageError } from '../../src/cli/args.js';

describe('the klambda command line', () => {
  it('runs dev on a folder with defaults', () => {
    expect(parseCli(['dev', 'examples'], {})).toEqual({
      command: 'dev', dir: 'examples', port: 9000, host: '127.0.0.1', idleTimeoutSeconds: 300, region: 'us-east-1', accountId: '000000000000', maxEnvironments: 64,
    });
  });
  it('takes the port, the Redis URL from the flag or REDIS_URL', () => {
    expect(parseCli(['dev', '--port', '0'], { REDIS_URL: 'redis://x:1' })).toMatchObject({ dir: '.', port: 0, redisUrl: 'redis://x:1' });
    expect(parseCli(['dev', '--redis-url', 'redis://y:2'], { REDIS_URL: 'redis://x:1' })).toMatchObject({ redisUrl: 'redis://y:2' });
  });
  it('refuses bad ports, unknown commands and unknown flags', () => {
    expect(() => parseCli(['dev', '--port', '70000'], {})).toThrow(UsageError);
    expect(() => parseCli(['dev', '--max-environments', '0'], {})).toThrow(/max-environments/);
    expect(parseCli(['dev', '--max-environments', '2'], {})).toMatchObject({ maxEnvironments: 2 });
    expect(() => parseCli(['deploy'], {})).toThrow(/unknown command/);
    expect(() => parseCli(['dev', '--nope'], {})).toThrow();
  });
  it('turns SigV4 on in the local mode with --auth FILE; the cluster router serves every namespace (no --namespace)', () => {
    expect(parseCli(['dev', '--auth', 'keys.ini'], {})).toMatchObject({ command: 'dev', auth: 'keys.ini' });
    expect(parseCli(['dev'], {})).not.toHaveProperty('auth');
    expect(parseCli(['router', '--redis-url', 'redis://r:6379'], {})).toEqual({
      command: 'router', redisUrl: 'redis://r:6379', keyPrefix: 'klambda', region: 'us-east-1', accountId: '000000000000', port: 9000, host: '0.0.0.0', opsPort: 9090,
    });
    expect(() => parseCli(['router', '--redis-url', 'redis://r:6379', '--namespace', 'a'], {})).toThrow();
  });
  it("gives the router the cluster's runtimes (--runtimes or $KLAMBDA_RUNTIMES, Lambda's names too), as the controller's", () => {
    expect(parseCli(['router', '--redis-url', 'r', '--runtimes', 'nodejs20.x,python3.11'], {})).toMatchObject({ runtimes: ['nodejs20', 'python3.11'] });
    expect(parseCli(['router', '--redis-url', 'r'], { KLAMBDA_RUNTIMES: 'provided.al2023' })).toMatchObject({ runtimes: ['provided'] });
    expect(parseCli(['router', '--redis-url', 'r'], { KLAMBDA_RUNTIMES: 'all' })).not.toHaveProperty('runtimes');
    expect(() => parseCli(['router', '--redis-url', 'r', '--runtimes', 'cobol'], {})).toThrow(/--runtimes/);
  });
  it('takes --log-format text or json, leaves it unset for the terminal to decide, and refuses anything else', () => {
    expect(parseCli(['dev', '--log-format', 'text'], {})).toMatchObject({ logFormat: 'text' });
    expect(parseCli(['dev', '--log-format', 'json'], {})).toMatchObject({ logFormat: 'json' });
    expect(parseCli(['dev'], {})).not.toHaveProperty('logFormat');
    expect(() => parseCli(['dev', '--log-format', 'xml'], {})).toThrow(new UsageError('--log-format must be text or json, got xml', 'dev'));
    expect(usageOf('dev')).toContain('--log-format');
  });
  it('shows help without a command', () => {
    expect(parseCli([], {})).toEqual({ command: 'help' });
  });
  it('shows each subcommand its own help, and names the subcommand of a bad flag', () => {
    expect(parseCli(['controller', '--help'], {})).toEqual({ command: 'help', topic: 'controller' });
    expect(parseCli(['router', '-h'], {})).toEqual({ command: 'help', topic: 'router' });
    expect(parseCli(['dev', '--help'], {})).toEqual({ command: 'help', topic: 'dev' });
    expect(usageOf('controller')).toContain('usage: klambda controller');
    expect(usageOf('router')).not.toContain('--agent-image');
    expect(usageOf(undefined)).toContain('klambda controller --help');
    const bad = (argv: string[]): UsageError => {
      try { parseCli(argv, {}); } catch (e) { return e as UsageError; }
      throw new Error(`${argv.join(' ')} was accepted`);
    };
    expect(bad(['router', '--nope'])).toMatchObject({ command: 'router' });
    expect(bad(['router', '--nope'])).toBeInstanceOf(UsageError);
    expect(bad(['controller'])).toMatchObject({ command: 'controller', message: '--redis-url (or REDIS_URL) is required' });
    expect(bad(['dev', '--port', 'x'])).toMatchObject({ command: 'dev' });
    expect(bad(['deploy'])).toMatchObject({ command: undefined });
  });
  it('takes --kubeconfig for the cluster commands', () => {
    expect(parseCli(['controller', '--redis-url', 'redis://r:6379', '--kubeconfig', '/k'], {})).toMatchObject({ kubeconfig: '/k' });
    expect(parseCli(['router', '--redis-url', 'redis://r:6379', '--kubeconfig', '/k'], {})).toMatchObject({ kubeconfig: '/k' });
    expect(parseCli(['router', '--redis-url', 'redis://r:6379'], {})).not.toHaveProperty('kubeconfig');
  });
});
