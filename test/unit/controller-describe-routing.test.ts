// How an alias's routing reads in its status and events.
import { describeRouting } from '../../src/controller/reconcile/alias.js';

describe('describeRouting', () => {
  it('names the single version an alias routes to', () => {
    expect(describeRouting({ functionVersion: '1' })).toBe('version 1');
    expect(describeRouting({ functionVersion: '1', routingConfig: { additionalVersionWeights: {} } })).toBe('version 1');
  });

  it('gives both versions their share in percent', () => {
    expect(describeRouting({ functionVersion: '1', routingConfig: { additionalVersionWeights: { '2': 0.25 } } })).toBe('version 1 (75%) and 2 (25%)');
  });

  it('rounds to a tenth of a percent, hiding float noise', () => {
    expect(describeRouting({ functionVersion: '3', routingConfig: { additionalVersionWeights: { '4': 0.7 } } })).toBe('version 3 (30%) and 4 (70%)');
    expect(describeRouting({ functionVersion: '3', routingConfig: { additionalVersionWeights: { '4': 0.3333 } } })).toBe('version 3 (66.7%) and 4 (33.3%)');
  });
});
