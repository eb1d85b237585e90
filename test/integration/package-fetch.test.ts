// An agent's zip package on a real versitygw: put in the code store by content, read with its presigned URL, checked
// against the version's CodeSha256 and CodeSize, unpacked once per digest into the node's cache and copied into the
// code volume. A package that is not the version's, a hostile one or an expired URL is refused with nothing cached.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { preparePackage, type PackageFetchConfig } from '../../src/agent/package-fetch.js';
import { CodeStore, packageKey, type StoredPackage } from '../../src/code/code-store.js';
import { bufferDigest, digestName } from '../../src/code/package-digest.js';
import { startVersityGw, type VersityGw } from '../helpers/versitygw.js';
import { waitFor } from '../helpers/wait.js';
import { makeZip, renameInZip, type ZipItem } from '../helpers/zips.js';

const NAMESPACE = 'team-a';
const HANDLER = 'export const handler = async () => ({ ok: true });\n';
// a binary blob large enough that two fetches of it overlap
const BLOB = randomBytes(2 * 1024 * 1024);
const ITEMS: ZipItem[] = [
  { name: 'index.mjs', data: HANDLER },
  { name: 'bootstrap', data: '#!/bin/sh\nexec node index.mjs\n', mode: 0o100755 },
  { name: 'bin/tool', data: '#!/bin/sh\necho tool\n', mode: 0o100750 },
  { name: 'lib/blob.bin', data: BLOB, compress: false },
  { name: 'lib/readme.txt', data: 'not executable', mode: 0o100600 },
  { name: 'lib/current', data: 'blob.bin', link: true },
];
/** What the code volume must hold: file modes as the unpacker sets them (executable or not), links as links. */
const EXPECTED: Record<string, string> = {
  'bin': 'dir 755', 'bin/tool': 'file 755 #!/bin/sh\necho tool\n', 'bootstrap': 'file 755 #!/bin/sh\nexec node index.mjs\n',
  'index.mjs': `file 644 ${HANDLER}`, 'lib': 'dir 755', 'lib/blob.bin': `file 644 ${BLOB.toString('base64')}`,
  'lib/current': 'link blob.bin', 'lib/readme.txt': 'file 644 not executable',
};

/** Every entry under `dir` as "kind mode content" (content of files as text, the blob as base64), by relative path. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      const st = lstatSync(p);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) { out[rel] = `dir ${mode}`; walk(p); }
      else out[rel] = `file ${mode} ${name.endsWith('.bin') ? readFileSync(p).toString('base64') : readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

describe('preparePackage against a real code store', () => {
  let gw: VersityGw;
  let store: CodeStore;
  let pkg: StoredPackage;
  let other: StoredPackage;
  let work: string;

  beforeAll(async () => {
    gw = await startVersityGw();
    store = new CodeStore({ endpoint: gw.endpoint, region: gw.region, bucket: 'klambda-code', credentials: gw.root });
    pkg = await store.putPackage(NAMESPACE, await makeZip(ITEMS));
    other = await store.putPackage(NAMESPACE, await makeZip([{ name: 'index.mjs', data: 'export const handler = async () => "other";' }]));
  }, 120_000);

  afterAll(async () => {
    store?.destroy();
    await gw?.stop();
  });

  beforeEach(() => { work = mkdtempSync(join(tmpdir(), 'klambda-package-fetch-')); });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const cacheDir = () => join(work, 'cache');
  /** The version's Secret: the presigned URL in a file (a Secret's value may end with a newline). */
  function secretWith(url: string): string {
    mkdirSync(join(work, 'secret'), { recursive: true });
    const file = join(work, 'secret', 'package-url');
    writeFileSync(file, `${url}\n`, { mode: 0o400 });
    return file;
  }
  async function config(over: Partial<PackageFetchConfig> & { url?: string } = {}): Promise<PackageFetchConfig> {
    const { url, ...rest } = over;
    return {
      sha256: pkg.sha256, size: pkg.size, urlFile: secretWith(url ?? await store.presignRead(pkg.key, 600)),
      cacheDir: cacheDir(), targetDir: join(work, 'code-1'), ...rest,
    };
  }
  /** The cache holds nothing at all: no digest folder, no half-written download or unpack. */
  function expectNothingCached(...digests: string[]): void {
    for (const d of digests) expect(existsSync(join(cacheDir(), digestName(d)))).toBe(false);
    expect(existsSync(cacheDir()) ? readdirSync(cacheDir()) : []).toEqual([]);
  }

  it('keeps the package in the store under its namespace and hex digest', async () => {
    expect(pkg.key).toBe(packageKey(NAMESPACE, pkg.sha256));
    expect(await store.size(pkg.key)).toBe(pkg.size);
  });

  it('fills the code volume with the zip\'s files and modes on a cache miss, then from the cache into another volume', async () => {
    const first = await preparePackage(await config());
    expect(first.cached).toBe(false);
    expect(tree(join(work, 'code-1'))).toEqual(EXPECTED);
    expect(readdirSync(cacheDir())).toEqual([digestName(pkg.sha256)]);

    // another pod on the node: its code volume has what a restarted agent container left in it
    mkdirSync(join(work, 'code-2', 'stale'), { recursive: true });
    writeFileSync(join(work, 'code-2', 'old.mjs'), 'export const handler = () => "old";');
    const second = await preparePackage(await config({ targetDir: join(work, 'code-2') }));
    expect(second.cached).toBe(true);
    expect(tree(join(work, 'code-2'))).toEqual(EXPECTED);
    expect((lstatSync(join(work, 'code-2')).mode & 0o777).toString(8)).toBe('755');
  });

  it('refuses a URL that reads another package, and caches neither', async () => {
    const cfg = await config({ url: await store.presignRead(other.key, 600) });
    await expect(preparePackage(cfg)).rejects.toThrow(`the package from the code store is not the version's: CodeSha256 ${other.sha256} (${other.size} bytes), expected ${pkg.sha256} (${pkg.size} bytes)`);
    expectNothingCached(pkg.sha256, other.sha256);
    expect(existsSync(join(work, 'code-1'))).toBe(false);
  });

  it('refuses a URL of a key the store does not hold, naming the store\'s answer', async () => {
    const cfg = await config({ url: await store.presignRead(packageKey(NAMESPACE, Buffer.alloc(32).toString('base64')), 600) });
    await expect(preparePackage(cfg)).rejects.toThrow(/the code store answered 404 for the package/);
    expectNothingCached(pkg.sha256);
  });

  it('refuses the right bytes when the version\'s CodeSha256 is another', async () => {
    const cfg = await config({ sha256: other.sha256 });
    await expect(preparePackage(cfg)).rejects.toThrow(`CodeSha256 ${pkg.sha256} (${pkg.size} bytes), expected ${other.sha256} (${pkg.size} bytes)`);
    expectNothingCached(pkg.sha256, other.sha256);
  });

  it('refuses a package larger than the version\'s CodeSize, while it streams', async () => {
    const cfg = await config({ size: pkg.size - 1 });
    await expect(preparePackage(cfg)).rejects.toThrow(`the package from the code store is larger than its ${pkg.size - 1} bytes`);
    expectNothingCached(pkg.sha256);
  });

  it('refuses a package smaller than the version\'s CodeSize', async () => {
    const cfg = await config({ size: pkg.size + 1 });
    await expect(preparePackage(cfg)).rejects.toThrow(`CodeSha256 ${pkg.sha256} (${pkg.size} bytes), expected ${pkg.sha256} (${pkg.size + 1} bytes)`);
    expectNothingCached(pkg.sha256);
  });

  it.each([
    ['an entry named ../x', 'invalid relative path: ../x',
      async () => renameInZip(await makeZip([{ name: 'index.mjs', data: HANDLER }, { name: 'zz/x', data: 'escaped' }]), 'zz/x', '../x')],
    ['a link out of the package', 'symlink "x" points outside the package ("../../x")',
      async () => makeZip([{ name: 'index.mjs', data: HANDLER }, { name: 'x', data: '../../x', link: true }])],
  ])('refuses a hostile zip (%s) whose digest is the version\'s, writing nothing outside the cache or into it', async (_what, detail, make) => {
    const hostile = await store.putPackage(NAMESPACE, await make());
    const cfg = await config({ sha256: hostile.sha256, size: hostile.size, url: await store.presignRead(hostile.key, 600) });
    await expect(preparePackage(cfg)).rejects.toThrow(`Could not unzip uploaded file. Please check your file, then try to upload again. (${detail})`);
    expectNothingCached(hostile.sha256);
    expect(existsSync(join(work, 'code-1'))).toBe(false);
    // all that is left in the node's folders: the Secret's file and the empty cache
    expect(readdirSync(work).sort()).toEqual(['cache', 'secret']);
    expect(readdirSync(join(work, 'secret'))).toEqual(['package-url']);
  });

  it('lets two agents fetch the same digest at once: both fill their volumes, one unpack is kept', async () => {
    const [a, b] = await Promise.all([
      preparePackage(await config({ targetDir: join(work, 'code-1') })),
      preparePackage(await config({ targetDir: join(work, 'code-2') })),
    ]);
    expect([a!.cached, b!.cached].sort()).toEqual([false, true]);
    expect(tree(join(work, 'code-1'))).toEqual(EXPECTED);
    expect(tree(join(work, 'code-2'))).toEqual(EXPECTED);
    expect(readdirSync(cacheDir())).toEqual([digestName(pkg.sha256)]);
    expect(tree(join(cacheDir(), digestName(pkg.sha256)))).toEqual(EXPECTED);
  });

  it('refuses an expired presigned URL, saying it may have expired', async () => {
    const url = await store.presignRead(pkg.key, 1);
    await waitFor(async () => {
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.status === 403 ? true : undefined;
    }, 30_000, 'the presigned URL to expire', 100);
    const cfg = await config({ url });
    await expect(preparePackage(cfg)).rejects.toThrow(`the code store answered 403 for the package ${pkg.sha256} (its presigned URL may have expired: the controller renews it)`);
    expectNothingCached(pkg.sha256);
  });
  it('rewrites a package whose key holds other bytes of the same size (putPackage checks the digest, not only the size)', async () => {
    const zip = await makeZip([{ name: 'index.mjs', data: 'export const handler = async () => "repaired";' }]);
    const key = packageKey(NAMESPACE, bufferDigest(zip).sha256);
    const forged = Buffer.alloc(zip.length, 7);
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: forged }));
    await store.putPackage(NAMESPACE, zip);
    const chunks: Buffer[] = [];
    for await (const c of await store.read(key)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(zip);
  });
});
