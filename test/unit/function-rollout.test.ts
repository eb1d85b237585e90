// $LATEST's rollout and its State/LastUpdateStatus: rolledOut decides from the Deployment the controller reads, and
// latestState reads the Function's status as the controller writes it (nextStatus with the fields of reconcileFunction).
import { nextStatus, type ConditionInput } from '../../src/controller/conditions.js';
import type { Stored, StoredStatus } from '../../src/controller/kinds.js';
import { rolledOut } from '../../src/controller/reconcile/function.js';
import { latestState } from '../../src/router/lambda/kube-catalog.js';

type Deployment = NonNullable<Parameters<typeof rolledOut>[0]>;

const deployment = (generation: number, replicas: number, status: NonNullable<Deployment['status']>): Deployment =>
  ({ metadata: { generation }, spec: { replicas }, status });

describe('rolledOut', () => {
  it('is false when there is no Deployment yet', () => {
    expect(rolledOut(undefined)).toBe(false);
  });

  it('is false for a Deployment just created, before the deployment controller has looked at it', () => {
    expect(rolledOut({ metadata: { generation: 1 }, spec: { replicas: 0 } })).toBe(false);
  });

  it('is false while the Deployment\'s last change is not observed, even with every pod updated', () => {
    expect(rolledOut(deployment(3, 1, { observedGeneration: 2, replicas: 1, updatedReplicas: 1 }))).toBe(false);
  });

  it('is false while pods of an older template are left', () => {
    expect(rolledOut(deployment(2, 2, { observedGeneration: 2, replicas: 3, updatedReplicas: 2 }))).toBe(false);
    expect(rolledOut(deployment(2, 1, { observedGeneration: 2, replicas: 1 }))).toBe(false);
  });

  it('is true once every pod runs the current template', () => {
    expect(rolledOut(deployment(2, 2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2 }))).toBe(true);
  });

  it('is true for a Deployment scaled to zero once its change is observed (the API server leaves out zero counts)', () => {
    expect(rolledOut(deployment(4, 0, { observedGeneration: 4 }))).toBe(true);
    expect(rolledOut(deployment(4, 0, { observedGeneration: 4, replicas: 0, updatedReplicas: 0 }))).toBe(true);
  });
});

const NOW = '2026-12-07T00:00:00.000Z';
const DEPLOYED: ConditionInput = { type: 'Ready', status: 'True', reason: 'Deployed', message: '$LATEST is deployed; invoke hello through the router' };
const failed = (reason: string, message: string): ConditionInput => ({ type: 'Ready', status: 'False', reason, message });

/** A Function as the API server stores it: `generation` moves with each spec change. */
function fn(generation: number, status?: StoredStatus): Stored<unknown> {
  return {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function',
    metadata: { name: 'hello', namespace: 'team-a', generation, creationTimestamp: NOW },
    spec: { runtime: 'nodejs20', handler: 'index.handler', code: { s3: { bucket: 'klambda-code', key: 'packages/team-a/x.zip' } } },
    ...(status ? { status } : {}),
  };
}

/** What reconcileFunction writes once the workload is applied: the code's digest and the rollout of the Deployment it read. */
function deployedStatus(current: StoredStatus | undefined, generation: number, d: Deployment | undefined, codeSha256 = 'c2hhMQ=='): StoredStatus {
  return nextStatus(current, generation, DEPLOYED, {
    url: 'http://router/2015-03-31/functions/hello/invocations', codeSha256, codeSize: 1234,
    rollout: rolledOut(d) ? 'Complete' : 'Progressing',
  }, NOW);
}

/** What reconcileFunction writes when the code cannot be resolved (no fields: the last deployed ones stay). */
const failedStatus = (current: StoredStatus | undefined, generation: number, reason: string, message: string): StoredStatus =>
  nextStatus(current, generation, failed(reason, message), {}, NOW);

const COMPLETE = deployment(1, 0, { observedGeneration: 1 });
const PROGRESSING = deployment(2, 1, { observedGeneration: 2, replicas: 2, updatedReplicas: 1 });

describe('latestState', () => {
  it('is Pending (LastUpdateStatus InProgress) before the controller has deployed the function once', () => {
    const pending = { State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating', LastUpdateStatus: 'InProgress' };
    expect(latestState(fn(1))).toEqual(pending);
    // a failure the controller wrote for an older generation: the new spec is not looked at yet
    expect(latestState(fn(2, failedStatus(undefined, 1, 'CodeNotFound', 'gone')))).toEqual(pending);
  });

  it.each([
    ['InvalidCode', 'Could not unzip uploaded file. Please check your file, then try to upload again. (entry "../x" is outside the package)'],
    ['CodeNotFound', 'Code not found: s3://klambda-code/packages/team-a/x.zip'],
    ['InvalidRuntime', 'java21 cannot run here: this klambda does not serve java21 (its runtimes: nodejs20)'],
    ['InvalidSecretEnvironment', 'secretEnvironment.DB_PASSWORD names shop-latest-agent, a Secret klambda keeps for a function version'],
  ])('is State Failed with the reason when the function was never deployed (%s)', (reason, message) => {
    expect(latestState(fn(1, failedStatus(undefined, 1, reason, message)))).toEqual({
      State: 'Failed', StateReason: message, StateReasonCode: reason, LastUpdateStatus: 'Failed',
    });
  });

  it.each([
    ['InvalidCode', 'the zip is not one'],
    ['CodeNotFound', 'Code not found: s3://klambda-code/packages/team-a/y.zip'],
  ])('is LastUpdateStatus Failed with the reason, and no State, when an update\'s code fails after a deploy (%s)', (reason, message) => {
    const before = deployedStatus(undefined, 1, COMPLETE);
    const state = latestState(fn(2, failedStatus(before, 2, reason, message)));
    expect(state).toEqual({ LastUpdateStatus: 'Failed', LastUpdateStatusReason: message, LastUpdateStatusReasonCode: reason });
    expect(state.State).toBeUndefined();
  });

  it('is InProgress while the last spec change is not observed', () => {
    const before = deployedStatus(undefined, 1, COMPLETE);
    expect(latestState(fn(1, before))).toEqual({});
    expect(latestState(fn(2, before))).toEqual({
      LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'InProgress',
    });
  });

  it('is InProgress while the rollout is Progressing, then nothing once every pod runs the current template', () => {
    const progressing = deployedStatus(deployedStatus(undefined, 1, COMPLETE), 2, PROGRESSING, 'c2hhMg==');
    expect(progressing.rollout).toBe('Progressing');
    expect(latestState(fn(2, progressing))).toEqual({
      LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'InProgress',
    });
    const done = deployedStatus(progressing, 2, deployment(2, 1, { observedGeneration: 2, replicas: 1, updatedReplicas: 1 }), 'c2hhMg==');
    expect(done.rollout).toBe('Complete');
    expect(latestState(fn(2, done))).toEqual({});
  });

  it('is nothing (State and LastUpdateStatus as configured) when all is done, and again after a failed update is fixed', () => {
    const first = deployedStatus(undefined, 1, COMPLETE);
    expect(latestState(fn(1, first))).toEqual({});
    const broken = failedStatus(first, 2, 'InvalidCode', 'bad zip');
    const fixed = deployedStatus(broken, 3, deployment(3, 0, { observedGeneration: 3 }));
    expect(latestState(fn(3, fixed))).toEqual({});
  });
});
