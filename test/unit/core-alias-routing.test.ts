import { chooseVersion } from '../../src/core/alias-routing.js';

describe('weighted alias routing', () => {
  it('sends everything to the alias version without routing config', () => {
    expect(chooseVersion({ functionVersion: '1' }, 0)).toBe('1');
    expect(chooseVersion({ functionVersion: '1' }, 0.999)).toBe('1');
  });
  it('sends the weight of traffic to the additional version', () => {
    const alias = { functionVersion: '1', additionalVersionWeights: { '2': 0.1 } };
    expect(chooseVersion(alias, 0.05)).toBe('2');
    expect(chooseVersion(alias, 0.1)).toBe('1');
    expect(chooseVersion(alias, 0.5)).toBe('1');
  });
  it('splits a uniform sample in proportion to the weight', () => {
    const alias = { functionVersion: '1', additionalVersionWeights: { '2': 0.25 } };
    let two = 0;
    for (let i = 0; i < 1000; i++) if (chooseVersion(alias, i / 1000) === '2') two++;
    expect(two).toBe(250);
  });
});
