import { parseCli, UsageError } from '../../src/cli/args.js';

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
      command: 'router', redisUrl: 'redis://r:6379', keyPrefix: 'klambda', region: 'us-east-1', accountId: '000000000000', port: 9000, host: '0.0.0.0',
    });
    expect(() => parseCli(['router', '--redis-url', 'redis://r:6379', '--namespace', 'a'], {})).toThrow();
  });
  it('shows help without a command', () => {
    expect(parseCli([], {})).toEqual({ command: 'help' });
  });
});
