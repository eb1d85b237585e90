// Only Redis refusing ACL itself makes the local mode share its own URL with the agents; a passing failure never does.
import { aclRefused } from '../../src/local/agent-credentials.js';

it('tells a refused ACL (old Redis, a user without the right) from a passing failure', () => {
  expect(aclRefused(new Error("ERR unknown command 'ACL', with args beginning with: 'SETUSER'"))).toBe(true);
  expect(aclRefused(new Error("NOPERM User default has no permissions to run the 'acl|setuser' command"))).toBe(true);
  expect(aclRefused(new Error('Connection is closed.'))).toBe(false);
  expect(aclRefused(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(false);
  expect(aclRefused(new Error("LOADING Redis is loading the dataset in memory"))).toBe(false);
});
