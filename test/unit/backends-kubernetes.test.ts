// Which queue a Deployment serves, read back from the labels the controller put on it.
import { deploymentQueue, type DeploymentLike } from '../../src/backends/kubernetes-backend.js';
import { LABEL_FUNCTION, LABEL_VERSION } from '../../src/controller/resources/names.js';

const deployment = (labels: Record<string, string> | undefined, namespace: string | null = 'team-a'): DeploymentLike => ({
  metadata: { name: 'd', ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
});

describe('deploymentQueue', () => {
  it('reads "latest" as $LATEST and "v12" as version 12', () => {
    expect(deploymentQueue(deployment({ [LABEL_FUNCTION]: 'hello', [LABEL_VERSION]: 'latest' })))
      .toEqual({ namespace: 'team-a', functionName: 'hello', version: '$LATEST' });
    expect(deploymentQueue(deployment({ [LABEL_FUNCTION]: 'hello', [LABEL_VERSION]: 'v12' })))
      .toEqual({ namespace: 'team-a', functionName: 'hello', version: '12' });
  });

  it.each(['12', 'v', 'v0', 'v012', 'vx', 'V3', 'LATEST'])('serves no queue with version label %p', (slug) => {
    expect(deploymentQueue(deployment({ [LABEL_FUNCTION]: 'hello', [LABEL_VERSION]: slug }))).toBeUndefined();
  });

  it('serves no queue without the labels or a namespace', () => {
    expect(deploymentQueue(deployment(undefined))).toBeUndefined();
    expect(deploymentQueue(deployment({ [LABEL_VERSION]: 'v1' }))).toBeUndefined();
    expect(deploymentQueue(deployment({ [LABEL_FUNCTION]: 'hello' }))).toBeUndefined();
    expect(deploymentQueue(deployment({ [LABEL_FUNCTION]: 'hello', [LABEL_VERSION]: 'v1' }, null))).toBeUndefined();
  });
});
