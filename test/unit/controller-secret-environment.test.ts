// Which Secrets a Function may read into its environment: never one of klambda's agent Secrets.
import { isAgentSecretShaped, managedSecretNames, secretEnvironmentProblem } from '../../src/controller/secret-environment.js';
import { agentSecretName } from '../../src/controller/resources/names.js';

const known = {
  functions: [{ metadata: { namespace: 'team-a', name: 'billing' } }, { metadata: { namespace: 'team-b', name: 'other' } }],
  versions: [{ metadata: { namespace: 'team-a' }, spec: { functionName: 'billing', version: '3' } }],
};

describe('the Secrets klambda manages', () => {
  it('are the agent Secrets of the namespace\'s functions and versions', () => {
    expect([...managedSecretNames('team-a', known)].sort()).toEqual(['billing-latest-agent', 'billing-v3-agent']);
  });

  it.each([
    agentSecretName('anything', '$LATEST'), agentSecretName('x', '12'),
    agentSecretName('f'.repeat(63), '$LATEST'), agentSecretName('g'.repeat(55), '7'), agentSecretName(`${'h'.repeat(52)}-abc`, '$LATEST'),
    // dashes where the hashed form cuts the name: a short prefix
    agentSecretName(`a${'-'.repeat(60)}b`, '$LATEST'), 'cache-0123abcd',
  ])('include every name agentSecretName gives, known function or not: %s', (name) => {
    expect(isAgentSecretShaped(name)).toBe(true);
  });

  it.each(['db-credentials', 'agent', 'my-agent', 'latest-agent-keys', 'v1-agent.example', 'cache-0123abcdx', 'db-k7g5h9m2bt', 'klambda-s3'])('leave a tenant\'s own Secret name alone: %s', (name) => {
    expect(isAgentSecretShaped(name)).toBe(false);
  });
});

describe('secretEnvironmentProblem', () => {
  const managed = managedSecretNames('team-a', known);

  it('accepts the namespace\'s own Secrets, and no references at all', () => {
    expect(secretEnvironmentProblem({ DB_PASSWORD: { secret: 'db-credentials', key: 'password' } }, managed)).toBeUndefined();
    expect(secretEnvironmentProblem(undefined, managed)).toBeUndefined();
  });

  it('refuses another version\'s agent Secret, naming the variable and the Secret', () => {
    expect(secretEnvironmentProblem({ OK: { secret: 'db', key: 'k' }, STEAL: { secret: 'billing-v3-agent', key: 'redis-url' } }, managed))
      .toMatch(/^spec\.secretEnvironment\.STEAL names Secret billing-v3-agent, which klambda manages/);
  });

  it('refuses a name an agent Secret would take even before it exists', () => {
    expect(secretEnvironmentProblem({ LATER: { secret: 'not-yet-latest-agent', key: 'package-url' } }, new Set())).toMatch(/klambda manages/);
  });

  it('refuses every reference in klambda\'s own namespace, which holds its Redis and code store credentials', () => {
    expect(secretEnvironmentProblem({ DB: { secret: 'db-credentials', key: 'password' } }, new Set(), 'klambda-system')).toMatch(/klambda-system is klambda's own/);
    expect(secretEnvironmentProblem({}, new Set(), 'klambda-system')).toBeUndefined();
  });
});
