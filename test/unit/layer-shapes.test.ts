// The layer logic the local mode and a cluster share (pure): a function's Layers into spec refs, which refs name a
// version, the versions PublishLayerVersion appends, ListLayers / ListLayerVersions; and a caller with a policy still
// reaches the layer calls.
import type { LayerVersionSpec } from '../../src/api/layer.js';
import { functionLayerRefs, namesLayerVersion } from '../../src/core/layer-arn.js';
import type { FunctionCatalog } from '../../src/router/lambda/catalog.js';
import { layerVersionEntry, listLayersItems, listLayerVersionsItems, type ListedLayer } from '../../src/router/lambda/layer-configuration.js';
import { catalogFor } from '../../src/router/auth/environment-redaction.js';

const ctx = { region: 'us-east-1', accountId: '111122223333' };
const ARN = 'arn:aws:lambda:us-east-1:111122223333:layer';
const version = (n: number, extra: Partial<LayerVersionSpec> = {}): LayerVersionSpec => ({ version: n, code: { s3: { bucket: 'b', key: `k${n}` } }, ...extra });

describe('a function\'s Layers as its spec keeps them', () => {
  const have = new Set(['tools:1', 'tools:2', 'deps:7']);
  const exists = (name: string, v: number) => have.has(`${name}:${v}`);

  it('keeps each ARN of the caller\'s account and region as name:version, in order', () => {
    expect(functionLayerRefs([`${ARN}:deps:7`, `${ARN}:tools:2`], ctx, exists)).toEqual(['deps:7', 'tools:2']);
  });

  it('refuses a version there is not, another account (403) and another region (400) as Lambda does', () => {
    expect(() => functionLayerRefs([`${ARN}:tools:3`], ctx, exists)).toThrow(`Layer version ${ARN}:tools:3 does not exist.`);
    expect(() => functionLayerRefs(['arn:aws:lambda:us-east-1:999999999999:layer:tools:1'], ctx, exists)).toThrow(expect.objectContaining({ statusCode: 403 }));
    expect(() => functionLayerRefs(['arn:aws:lambda:eu-west-1:111122223333:layer:tools:1'], ctx, exists)).toThrow(/same region/);
  });

  it('finds a version named short or by ARN, and only that version', () => {
    expect(namesLayerVersion(['deps:7', `${ARN}:tools:2`], 'tools', 2)).toBe(true);
    expect(namesLayerVersion(['deps:7', `${ARN}:tools:2`], 'deps', 7)).toBe(true);
    expect(namesLayerVersion(['deps:7', `${ARN}:tools:2`], 'tools', 1)).toBe(false);
    expect(namesLayerVersion(undefined, 'tools', 1)).toBe(false);
  });
});

describe('the version PublishLayerVersion appends', () => {
  it('holds what was given, the code, its digest and when', () => {
    const sha = `${'A'.repeat(43)}=`;
    expect(layerVersionEntry(3, { description: 'd', compatibleRuntimes: ['nodejs20.x'], compatibleArchitectures: ['x86_64'], licenseInfo: 'MIT' }, { s3: { bucket: 'b', key: 'k' } }, sha, '2026-01-01T00:00:00.000Z'))
      .toEqual({
        version: 3, description: 'd', compatibleRuntimes: ['nodejs20.x'], compatibleArchitectures: ['x86_64'], licenseInfo: 'MIT',
        code: { s3: { bucket: 'b', key: 'k' } }, codeSha256: sha, createdDate: '2026-01-01T00:00:00.000Z',
      });
  });

  it('leaves out an empty description and empty lists', () => {
    const entry = layerVersionEntry(1, { description: '', compatibleRuntimes: [], compatibleArchitectures: [] }, { path: 'x.zip' }, `${'B'.repeat(43)}=`, '2026-01-01T00:00:00.000Z');
    expect(Object.keys(entry).sort()).toEqual(['code', 'codeSha256', 'createdDate', 'version']);
  });
});

describe('ListLayers and ListLayerVersions', () => {
  const layers: ListedLayer[] = [
    { name: 'deps', versions: [version(1, { compatibleRuntimes: ['python3.11'] }), version(4, { compatibleRuntimes: ['nodejs20.x'] })], written: '2026-01-01T00:00:00.000Z' },
    { name: 'empty', versions: [], written: '2026-01-01T00:00:00.000Z' },
  ];

  it('gives each layer with its newest version that passes the filter, and leaves out layers with none', () => {
    expect(listLayersItems(ctx, layers, {}).map((l) => [l.LayerName, l.LatestMatchingVersion.Version])).toEqual([['deps', 4]]);
    expect(listLayersItems(ctx, layers, { compatibleRuntime: 'python3.11' }).map((l) => l.LatestMatchingVersion.LayerVersionArn)).toEqual([`${ARN}:deps:1`]);
    expect(listLayersItems(ctx, layers, { compatibleRuntime: 'java21' })).toEqual([]);
  });

  it('lists a layer\'s versions newest first, the CreatedDate of the layer when a version has none', () => {
    const items = listLayerVersionsItems(ctx, layers[0]!, {});
    expect(items.map((v) => v.Version)).toEqual([4, 1]);
    expect(items[0]!.CreatedDate).toBe('2026-01-01T00:00:00.000+0000');
  });
});

describe('a caller whose key has a policy', () => {
  it('still reaches the layer calls of the catalog', async () => {
    const calls: string[] = [];
    const inner = {
      arn: ctx,
      getLayerVersion: async (name: string, v: number) => { calls.push(`get ${name}:${v}`); return {} as never; },
      deleteLayerVersion: async (name: string, v: number) => { calls.push(`delete ${name}:${v}`); },
    } as unknown as FunctionCatalog;
    const seen = catalogFor(inner, { namespace: 'default', accountId: ctx.accountId, policy: { Version: '2012-10-17', Statement: [] } } as never);
    expect(seen).not.toBe(inner);
    await seen.getLayerVersion!('tools', 1);
    await seen.deleteLayerVersion!('tools', 1);
    expect(seen.publishLayerVersion).toBeUndefined();
    expect(calls).toEqual(['get tools:1', 'delete tools:1']);
  });
});
