// What the exporter publishes of the routing table: versions, provisioned concurrency per version, reserved concurrency.
import { inventoryFromRoutes } from '../../src/metrics/inventory.js';
import { aliasOf } from '../../src/metrics/labels.js';
import { decisionOf } from '../../src/metrics/scaler-metrics.js';
import type { RouteEntry } from '../../src/core/routes.js';

describe('the exported inventory', () => {
  it('lists $LATEST and each version, splits an alias\'s provisioned concurrency by its weights, keeps reserved concurrency', () => {
    const entries = new Map<string, RouteEntry>([
      ['team-a/resize', {
        fn: { latest: { timeoutSeconds: 3 }, reservedConcurrency: 5 },
        versions: { 1: { timeoutSeconds: 3 }, 2: { timeoutSeconds: 3 } },
        aliases: { live: { functionVersion: '1', additionalVersionWeights: { 2: 0.25 }, provisionedConcurrency: 4 } },
      }],
      ['team-b/hello', { fn: { latest: { timeoutSeconds: 1 } }, versions: {}, aliases: {} }],
    ]);
    expect(inventoryFromRoutes(entries)).toEqual([
      { namespace: 'team-a', functionName: 'resize', reservedConcurrency: 5, versions: [
        { version: '$LATEST', provisioned: 0 }, { version: '1', provisioned: 3 }, { version: '2', provisioned: 1 },
      ] },
      { namespace: 'team-b', functionName: 'hello', versions: [{ version: '$LATEST', provisioned: 0 }] },
    ]);
  });

  it('labels an alias only for an alias qualifier', () => {
    expect(aliasOf(undefined)).toBe('');
    expect(aliasOf('$LATEST')).toBe('');
    expect(aliasOf('3')).toBe('');
    expect(aliasOf('live')).toBe('live');
  });

  it('names a scaling decision by its direction', () => {
    expect(decisionOf(0, 1)).toBe('scale_up');
    expect(decisionOf(3, 1)).toBe('scale_down');
    expect(decisionOf(2, 2)).toBe('hold');
  });
});
