// Unit tests of layer ARNs and the checks of a function's Layers, as Lambda makes them.
import {
  checkFunctionLayers, checkLayerReachable, combinedSizeProblem, layerArn, layerVersionArn, parseLayerName, parseLayerVersionArn,
  parseLayerVersionNumber, parseLayerVersionRef, sameLayerTwice, shortLayerRef,
} from '../../src/core/layer-arn.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };
const ARN = 'arn:aws:lambda:us-east-1:000000000000:layer';
const failure = (f: () => unknown): { awsType?: string; statusCode?: number; message?: string } => {
  try { f(); } catch (err) { return err as { awsType: string; statusCode: number; message: string }; }
  throw new Error('did not throw');
};

describe('layer ARNs', () => {
  it('names a layer and a version as Lambda does', () => {
    expect(layerArn(ctx, 'shared')).toBe(`${ARN}:shared`);
    expect(layerVersionArn(ctx, 'shared', 3)).toBe(`${ARN}:shared:3`);
  });

  it('reads a manifest\'s layer: name:version or a version ARN (with its region and account)', () => {
    expect(parseLayerVersionRef('shared:3')).toEqual({ name: 'shared', version: 3 });
    expect(parseLayerVersionRef('arn:aws:lambda:eu-west-1:111111111111:layer:shared:12')).toEqual({ name: 'shared', version: 12, region: 'eu-west-1', accountId: '111111111111' });
    for (const bad of ['shared', 'shared:0', 'Shared:1', 'shared:x', `${ARN}:shared`, 'arn:aws:lambda:us-east-1:000000000000:function:f:1', `${ARN}:Up_Per:1`]) {
      expect(parseLayerVersionRef(bad)).toBeUndefined();
    }
    expect(shortLayerRef({ name: 'shared', version: 3, region: 'x' })).toBe('shared:3');
  });
});

describe("a function's Layers", () => {
  it('takes up to five version ARNs, in order', () => {
    const arns = [1, 2, 3, 4, 5].map((n) => `${ARN}:l${n}:${n}`);
    expect(checkFunctionLayers(arns).map(shortLayerRef)).toEqual(['l1:1', 'l2:2', 'l3:3', 'l4:4', 'l5:5']);
    expect(checkFunctionLayers([])).toEqual([]);
  });

  it('refuses what is no layer version ARN with Lambda\'s ValidationException, before counting', () => {
    const err = failure(() => checkFunctionLayers(['shared:1', ...[1, 2, 3, 4, 5, 6].map((n) => `${ARN}:l${n}:1`)]));
    expect(err).toMatchObject({ awsType: 'ValidationException', statusCode: 400 });
    expect(err.message).toMatch(/^1 validation error detected: Value '\[shared:1, arn:.*' at 'layers' failed to satisfy constraint: Member must satisfy constraint: \[Member must have length less than or equal to 140, /);
    expect(failure(() => checkFunctionLayers([`${ARN}:${'x'.repeat(140)}:1`]))).toMatchObject({ awsType: 'ValidationException' });
    expect(failure(() => checkFunctionLayers('arn'))).toMatchObject({ awsType: 'ValidationException' });
    expect(failure(() => checkFunctionLayers([1]))).toMatchObject({ awsType: 'ValidationException' });
  });

  it('refuses a sixth layer and two versions of one layer with InvalidParameterValueException', () => {
    expect(failure(() => checkFunctionLayers([1, 2, 3, 4, 5, 6].map((n) => `${ARN}:l${n}:1`))))
      .toMatchObject({ awsType: 'InvalidParameterValueException', message: 'Cannot reference more than 5 layers.' });
    expect(failure(() => checkFunctionLayers([`${ARN}:a:1`, `${ARN}:b:1`, `${ARN}:a:2`]))).toMatchObject({
      awsType: 'InvalidParameterValueException',
      message: `Two different versions of the same layer are not allowed to be referenced in the same function. ${ARN}:a:1 and ${ARN}:a:2 are versions of the same layer.`,
    });
    // the same name in two accounts is two layers
    expect(sameLayerTwice(['x', 'y'], [{ name: 'a', version: 1, accountId: '1' }, { name: 'a', version: 1, accountId: '2' }])).toBeUndefined();
  });

  it('refuses another account\'s layer (403) and another region\'s (400), as Lambda without layer permissions', () => {
    const other = parseLayerVersionRef('arn:aws:lambda:us-east-1:111111111111:layer:shared:1')!;
    expect(failure(() => checkLayerReachable(other, ctx, 'x'))).toMatchObject({ awsType: 'AccessDeniedException', statusCode: 403 });
    const region = parseLayerVersionRef('arn:aws:lambda:eu-west-1:000000000000:layer:shared:1')!;
    expect(failure(() => checkLayerReachable(region, ctx, 'x'))).toMatchObject({
      awsType: 'InvalidParameterValueException', message: 'Layers are not in the same region as the function. Layers are expected to be in region us-east-1.',
    });
    expect(() => checkLayerReachable({ name: 'shared', version: 1 }, ctx, 'shared:1')).not.toThrow();
  });
});

describe('the layer calls\' parameters', () => {
  it('LayerName: a name or a layer ARN of the caller\'s account and region; a DNS label here', () => {
    expect(parseLayerName('shared', ctx, 'lambda:GetLayerVersion')).toBe('shared');
    expect(parseLayerName(`${ARN}:shared`, ctx, 'lambda:GetLayerVersion')).toBe('shared');
    expect(failure(() => parseLayerName('a b', ctx, 'lambda:GetLayerVersion'))).toMatchObject({ awsType: 'ValidationException' });
    expect(failure(() => parseLayerName('My_Layer', ctx, 'lambda:GetLayerVersion'))).toMatchObject({ awsType: 'InvalidParameterValueException' });
    expect(failure(() => parseLayerName('arn:aws:lambda:us-east-1:111111111111:layer:shared', ctx, 'lambda:GetLayerVersion')))
      .toMatchObject({ awsType: 'AccessDeniedException', message: expect.stringContaining('lambda:GetLayerVersion') });
    expect(failure(() => parseLayerName('arn:aws:lambda:eu-west-1:000000000000:layer:shared', ctx, 'lambda:GetLayerVersion'))).toMatchObject({ statusCode: 404 });
  });

  it('VersionNumber and GetLayerVersionByArn\'s Arn', () => {
    expect(parseLayerVersionNumber('12')).toBe(12);
    expect(failure(() => parseLayerVersionNumber('x'))).toMatchObject({ awsType: 'ValidationException' });
    expect(parseLayerVersionArn(`${ARN}:shared:4`, ctx)).toEqual({ name: 'shared', version: 4 });
    expect(failure(() => parseLayerVersionArn(`${ARN}:shared`, ctx))).toMatchObject({
      awsType: 'ValidationException', message: expect.stringContaining("at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:"),
    });
    expect(failure(() => parseLayerVersionArn(undefined, ctx))).toMatchObject({ awsType: 'ValidationException', message: expect.stringContaining('Value null') });
  });
});

describe('code and layers, unzipped', () => {
  it('may reach 262,144,000 bytes, not more; Lambda\'s message says by how much', () => {
    expect(combinedSizeProblem(100, [262_143_900], 262_144_000)).toBeUndefined();
    expect(combinedSizeProblem(101, [262_143_900], 262_144_000))
      .toBe('Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is 262144001 bytes.');
    expect(combinedSizeProblem(300_000_000, [], 262_144_000)).toBeUndefined();
  });
});
