import { environmentResources } from '../../src/controller/resources/sizing.js';
import { codeConfigMapName, deploymentName, selectorLabels } from '../../src/controller/resources/names.js';

describe('execution environment sizing', () => {
  it('gives one vCPU at 1769 MB and CPU in proportion below and above', () => {
    expect(environmentResources(1769, 512).limits.cpu).toBe('1000m');
    expect(environmentResources(128, 512).requests.cpu).toBe('72m');
    expect(environmentResources(10240, 512).limits.cpu).toBe('5789m');
  });
  it('sets memory and ephemeral storage requests equal to limits', () => {
    const r = environmentResources(256, 1024);
    expect(r.requests).toEqual({ cpu: '145m', memory: '256Mi', 'ephemeral-storage': '1024Mi' });
    expect(r.limits).toEqual(r.requests);
  });
});

describe('owned object names', () => {
  it('names a version\'s objects after the function and version, $LATEST as latest', () => {
    expect(deploymentName('hello', '$LATEST')).toBe('hello-latest');
    expect(deploymentName('hello', '3')).toBe('hello-v3');
    expect(codeConfigMapName('hello', '3')).toBe('hello-v3-code');
    expect(selectorLabels('hello', '$LATEST')).toEqual({ 'klambda.dev/function': 'hello', 'klambda.dev/version': 'latest' });
  });
});
