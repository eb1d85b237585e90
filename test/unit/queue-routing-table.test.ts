// Reading one function's routing hash as Redis holds it: "fn", "v:<number>" and "a:<alias>" fields of JSON.
import { parseRouteHash } from '../../src/queue/routing-table.js';

describe('parseRouteHash', () => {
  it('reads the function, its versions and its aliases', () => {
    expect(parseRouteHash({
      fn: '{"latest":{"timeoutSeconds":3},"reservedConcurrency":5}',
      'v:1': '{"timeoutSeconds":10}',
      'v:12': '{"timeoutSeconds":20}',
      'a:live': '{"functionVersion":"1","additionalVersionWeights":{"12":0.1},"provisionedConcurrency":2}',
    })).toEqual({
      fn: { latest: { timeoutSeconds: 3 }, reservedConcurrency: 5 },
      versions: { '1': { timeoutSeconds: 10 }, '12': { timeoutSeconds: 20 } },
      aliases: { live: { functionVersion: '1', additionalVersionWeights: { '12': 0.1 }, provisionedConcurrency: 2 } },
    });
  });

  it('has no function when the hash holds only versions, and skips fields it does not know', () => {
    expect(parseRouteHash({ 'v:1': '{"timeoutSeconds":10}', other: '{}' }))
      .toEqual({ versions: { '1': { timeoutSeconds: 10 } }, aliases: {} });
    expect(parseRouteHash({})).toEqual({ versions: {}, aliases: {} });
  });
});
