// --ops-port of the cluster processes: where /healthz, /readyz and /metrics listen.
import { parseCli, UsageError } from '../../src/cli/args.js';

const redis = ['--redis-url', 'redis://r:6379'];

describe('--ops-port', () => {
  it('defaults to 9090 on the router and the controller', () => {
    expect(parseCli(['router', ...redis], {})).toMatchObject({ opsPort: 9090 });
    expect(parseCli(['controller', ...redis], {})).toMatchObject({ opsPort: 9090 });
  });
  it('takes a port, or 0 for a free one', () => {
    expect(parseCli(['router', ...redis, '--ops-port', '0'], {})).toMatchObject({ opsPort: 0 });
    expect(parseCli(['controller', ...redis, '--ops-port', '9191'], {})).toMatchObject({ opsPort: 9191 });
  });
  it('refuses what is not a port', () => {
    expect(() => parseCli(['router', ...redis, '--ops-port', '70000'], {})).toThrow(UsageError);
    expect(() => parseCli(['controller', ...redis, '--ops-port', 'x'], {})).toThrow(/ops-port/);
  });
});
