// GetFunction's Code.Location (and a layer version's Content.Location): a URL that downloads a zip for ten minutes without
// credentials, as an S3 presigned URL does — signed with a secret only this router holds, served before the auth gate.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { KlambdaError } from '../../core/errors.js';
import type { RouteInstaller } from '../app.js';
import type { FunctionCatalog } from './catalog.js';

const PATH = '/klambda/code';
const LAYER_PATH = '/klambda/layer';

export class CodeLocations {
  constructor(private readonly secret: Buffer = randomBytes(32), private readonly ttlMs = 10 * 60_000, private readonly now: () => number = Date.now) {}

  /** The download URL of `name` (at `qualifier`), on the host the caller reached. */
  url(req: Request, accountId: string, name: string, qualifier?: string): string {
    const expires = String(Math.floor((this.now() + this.ttlMs) / 1000));
    const q = new URLSearchParams({ ...(qualifier !== undefined ? { Qualifier: qualifier } : {}), Expires: expires, Signature: this.sign(accountId, name, qualifier, expires) });
    return `${req.protocol}://${req.get('host') ?? 'localhost'}${PATH}/${accountId}/${encodeURIComponent(name)}?${q.toString()}`;
  }

  /** The download URL of a layer version's zip (a layer's Content.Location). */
  layerUrl(req: Request, accountId: string, name: string, version: number): string {
    const expires = String(Math.floor((this.now() + this.ttlMs) / 1000));
    const q = new URLSearchParams({ Expires: expires, Signature: this.signLayer(accountId, name, String(version), expires) });
    return `${req.protocol}://${req.get('host') ?? 'localhost'}${LAYER_PATH}/${accountId}/${encodeURIComponent(name)}/${version}?${q.toString()}`;
  }

  /** True for an unexpired layer URL this router made. */
  validLayer(accountId: string, name: string, version: string, expires: string, signature: string): boolean {
    return this.check(expires, signature, () => this.signLayer(accountId, name, version, expires));
  }

  /** True for an unexpired URL this router made. */
  valid(accountId: string, name: string, qualifier: string | undefined, expires: string, signature: string): boolean {
    return this.check(expires, signature, () => this.sign(accountId, name, qualifier, expires));
  }

  private check(expires: string, signature: string, sign: () => string): boolean {
    if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < this.now()) return false;
    const want = Buffer.from(sign());
    const got = Buffer.from(signature);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  private sign(accountId: string, name: string, qualifier: string | undefined, expires: string): string {
    return createHmac('sha256', this.secret).update(JSON.stringify([accountId, name, qualifier ?? null, expires])).digest('base64url');
  }

  /** A layer's signature covers another tuple than a function's: one never passes for the other. */
  private signLayer(accountId: string, name: string, version: string, expires: string): string {
    return createHmac('sha256', this.secret).update(JSON.stringify(['layer', accountId, name, version, expires])).digest('base64url');
  }
}

/** The downloads, for the catalog of an account (undefined: no such account here). */
export function codeLocationRoutes(locations: CodeLocations, catalogOf: (accountId: string) => FunctionCatalog | undefined): RouteInstaller {
  return (app: Express) => {
    app.get(`${PATH}/:account/:name`, async (req: Request, res: Response) => {
      const account = String(req.params.account);
      const name = String(req.params.name);
      const one = (k: string) => (typeof req.query[k] === 'string' ? req.query[k] : undefined);
      const qualifier = one('Qualifier');
      const catalog = catalogOf(account);
      if (!catalog?.functionCode || !locations.valid(account, name, qualifier, one('Expires') ?? '', one('Signature') ?? '')) {
        throw new KlambdaError(403, 'AccessDeniedException', 'The code location is not valid or has expired; call GetFunction for a new one');
      }
      const zip = await catalog.functionCode(name, qualifier);
      res.status(200).setHeader('Content-Type', 'application/zip');
      res.setHeader('Content-Disposition', `attachment; filename="${name}.zip"`);
      await pipeline(zip, res);
    });
    app.get(`${LAYER_PATH}/:account/:name/:version`, async (req: Request, res: Response) => {
      const account = String(req.params.account);
      const name = String(req.params.name);
      const version = String(req.params.version);
      const one = (k: string) => (typeof req.query[k] === 'string' ? req.query[k] : undefined);
      const catalog = catalogOf(account);
      if (!catalog?.layerVersionCode || !/^\d{1,18}$/.test(version) || !locations.validLayer(account, name, version, one('Expires') ?? '', one('Signature') ?? '')) {
        throw new KlambdaError(403, 'AccessDeniedException', 'The layer location is not valid or has expired; call GetLayerVersion for a new one');
      }
      const zip = await catalog.layerVersionCode(name, Number(version));
      res.status(200).setHeader('Content-Type', 'application/zip');
      res.setHeader('Content-Disposition', `attachment; filename="${name}-${version}.zip"`);
      await pipeline(zip, res);
    });
  };
}
