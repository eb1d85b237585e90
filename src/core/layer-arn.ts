// Layer names and ARNs as Lambda spells them, and the checks of a function's Layers (pure):
// arn:aws:lambda:{region}:{account}:layer:{name}[:{version}], and a manifest's short `name:version`.
import type { ArnContext } from './arn.js';
import { forbidden, invalidParameter, KlambdaError, notFound } from './errors.js';

/** A function references at most this many layers. */
export const MAX_LAYERS = 5;

/** AWS's LayerVersionArn pattern (its model, unanchored as AWS prints it in its messages). */
export const AWS_LAYER_VERSION_ARN = 'arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+';
/** AWS's pattern of a function's Layers item, as its ValidationException names it. */
const AWS_FUNCTION_LAYER = `(${AWS_LAYER_VERSION_ARN})|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)`;
const AWS_LAYER_NAME = '(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+';
const ARN_MAX = 140;

const VERSION_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;
const LAYER_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)$/;
/** A layer's name is its Kubernetes object's name here: a DNS-1123 label. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SHORT_REF = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?):([1-9][0-9]{0,9})$/;

/** A layer version as a function names it: by name and number; an ARN also says its region and account. */
export interface LayerVersionRef {
  name: string;
  version: number;
  region?: string;
  accountId?: string;
}

export const layerArn = (ctx: ArnContext, name: string): string => `arn:aws:lambda:${ctx.region}:${ctx.accountId}:layer:${name}`;
export const layerVersionArn = (ctx: ArnContext, name: string, version: number): string => `${layerArn(ctx, name)}:${version}`;

/** The Lambda model's validation failures (400 ValidationException), with AWS's wording. */
export const validationError = (message: string): KlambdaError => new KlambdaError(400, 'ValidationException', message);

/** A value as echoed in an error message: hostile input is not reflected at full length. */
const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);

/** A manifest's `spec.layers` item: `name:version` or a layer version ARN (undefined when it is neither). */
export function parseLayerVersionRef(ref: string): LayerVersionRef | undefined {
  const short = SHORT_REF.exec(ref);
  if (short) return { name: short[1]!, version: Number(short[3]) };
  const arn = VERSION_ARN.exec(ref);
  if (!arn || !DNS_LABEL.test(arn[3]!) || !/^[1-9][0-9]{0,9}$/.test(arn[4]!)) return undefined;
  return { name: arn[3]!, version: Number(arn[4]), region: arn[1]!, accountId: arn[2]! };
}

/** The short form a local manifest keeps (`name:version`). */
export const shortLayerRef = (ref: LayerVersionRef): string => `${ref.name}:${ref.version}`;

/**
 * The `Layers` of CreateFunction / UpdateFunctionConfiguration as Lambda checks them before looking any up: a list of
 * layer version ARNs (ValidationException otherwise), at most five, no layer twice. Returns the refs, in order.
 */
export function checkFunctionLayers(value: unknown): LayerVersionRef[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw validationError('Layers must be a list of layer version ARNs');
  const arns = value as string[];
  const bad = arns.some((a) => a.length < 1 || a.length > ARN_MAX || !new RegExp(`^(${AWS_FUNCTION_LAYER})$`).test(a));
  if (bad) {
    throw validationError(`1 validation error detected: Value '${shown(`[${arns.join(', ')}]`)}' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to ${ARN_MAX}, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${AWS_FUNCTION_LAYER}]`);
  }
  if (arns.length > MAX_LAYERS) throw invalidParameter(`Cannot reference more than ${MAX_LAYERS} layers.`);
  const refs: LayerVersionRef[] = [];
  for (const arn of arns) {
    const m = VERSION_ARN.exec(arn);
    // an AWS-managed "awslayer" ARN: there is none here
    if (!m) throw invalidParameter(`Layer version ${arn} does not exist.`);
    refs.push({ name: m[3]!, version: Number(m[4]), region: m[1]!, accountId: m[2]! });
  }
  const twice = sameLayerTwice(arns, refs);
  if (twice) throw invalidParameter(twice);
  return refs;
}

/** AWS's message when two refs name versions of one layer, or undefined. `labels[i]` is how `refs[i]` was written. */
export function sameLayerTwice(labels: readonly string[], refs: readonly LayerVersionRef[]): string | undefined {
  for (let i = 0; i < refs.length; i++) {
    for (let j = i + 1; j < refs.length; j++) {
      if (refs[i]!.name === refs[j]!.name && (refs[i]!.accountId ?? '') === (refs[j]!.accountId ?? '')) {
        return `Two different versions of the same layer are not allowed to be referenced in the same function. ${labels[i]} and ${labels[j]} are versions of the same layer.`;
      }
    }
  }
  return undefined;
}

/**
 * A layer ARN of another account or region, as Lambda refuses it for a function of `ctx` (no layer permissions here):
 * 403 for another account, 400 for another region.
 */
export function checkLayerReachable(ref: LayerVersionRef, ctx: ArnContext, label: string): void {
  if (ref.accountId !== undefined && ref.accountId !== ctx.accountId) {
    throw forbidden(`User is not authorized to perform: lambda:GetLayerVersion on resource: ${label} because no resource-based policy allows the lambda:GetLayerVersion action`);
  }
  if (ref.region !== undefined && ref.region !== ctx.region) {
    throw invalidParameter(`Layers are not in the same region as the function. Layers are expected to be in region ${ctx.region}.`);
  }
}

/**
 * The LayerName path parameter (a name or a layer ARN) as a caller in `ctx` names it: another account's ARN is 403
 * (naming `action`), another region's is not found; a name must be a DNS-1123 label (the layer's Kubernetes name).
 */
export function parseLayerName(raw: string, ctx: ArnContext, action: string): string {
  if (raw.length < 1 || raw.length > ARN_MAX || !new RegExp(`^(${AWS_LAYER_NAME})$`).test(raw)) {
    throw validationError(`1 validation error detected: Value '${shown(raw)}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${AWS_LAYER_NAME}`);
  }
  const arn = LAYER_ARN.exec(raw);
  const name = arn ? arn[3]! : raw;
  if (arn && arn[2] !== ctx.accountId) {
    throw forbidden(`User is not authorized to perform: ${action} on resource: ${raw} because no resource-based policy allows the ${action} action`);
  }
  if (arn && arn[1] !== ctx.region) throw notFound(`Layers from '${arn[1]}' are not reachable in this region ('${ctx.region}')`);
  checkLayerName(name);
  return name;
}

/** klambda keeps each layer as a Kubernetes object: its name must be a DNS-1123 label. */
export function checkLayerName(name: string): void {
  if (!DNS_LABEL.test(name)) {
    throw invalidParameter(`klambda keeps each layer as a Kubernetes object, so its name must be lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 (got ${shown(name)})`);
  }
}

/** The VersionNumber path parameter: a positive whole number. */
export function parseLayerVersionNumber(raw: string): number {
  if (!/^[0-9]{1,18}$/.test(raw)) throw validationError(`1 validation error detected: Value '${shown(raw)}' at 'versionNumber' failed to satisfy constraint: Member must be a number`);
  return Number(raw);
}

/** GetLayerVersionByArn's Arn: a layer version ARN (ValidationException otherwise), of the caller's account and region. */
export function parseLayerVersionArn(raw: string | undefined, ctx: ArnContext): { name: string; version: number } {
  if (raw === undefined) throw validationError("1 validation error detected: Value null at 'arn' failed to satisfy constraint: Member must not be null");
  const m = raw.length <= ARN_MAX ? VERSION_ARN.exec(raw) : null;
  if (!m) {
    throw validationError(`1 validation error detected: Value '${shown(raw)}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${AWS_LAYER_VERSION_ARN}`);
  }
  if (m[2] !== ctx.accountId) {
    throw forbidden(`User is not authorized to perform: lambda:GetLayerVersion on resource: ${raw} because no resource-based policy allows the lambda:GetLayerVersion action`);
  }
  if (m[1] !== ctx.region) throw notFound(`Layers from '${m[1]}' are not reachable in this region ('${ctx.region}')`);
  checkLayerName(m[3]!);
  return { name: m[3]!, version: Number(m[4]) };
}

/** What Lambda answers for a layer version it does not have (GetLayerVersion, GetLayerVersionByArn). */
export const layerVersionNotFound = (): KlambdaError => notFound('The resource you requested does not exist.');

/** Function code and its layers, unzipped, must stay under Lambda's limit; AWS's message when they do not. */
export function combinedSizeProblem(codeBytes: number, layerBytes: readonly number[], limit: number): string | undefined {
  const total = layerBytes.reduce((n, b) => n + b, codeBytes);
  if (layerBytes.length === 0 || total <= limit) return undefined;
  return `Function code combined with layers exceeds the maximum allowed size of ${limit} bytes. The actual size is ${total} bytes.`;
}

/** Whether one of a function's `spec.layers` items names this layer version (an ARN of any account counts). */
export function namesLayerVersion(refs: readonly string[] | undefined, name: string, version: number): boolean {
  return (refs ?? []).some((r) => {
    const ref = parseLayerVersionRef(r);
    return ref?.name === name && ref.version === version;
  });
}

/**
 * A function's Layers as the API gives them (layer version ARNs) → what its spec keeps (`name:version`): each of the
 * caller's account and region, and one `exists` finds (AWS's InvalidParameterValueException otherwise).
 */
export function functionLayerRefs(arns: readonly string[], ctx: ArnContext, exists: (name: string, version: number) => boolean): string[] {
  return arns.map((arn) => {
    const ref = parseLayerVersionRef(arn);
    if (!ref) throw invalidParameter(`Layer version ${arn} does not exist.`);
    checkLayerReachable(ref, ctx, arn);
    if (!exists(ref.name, ref.version)) throw invalidParameter(`Layer version ${arn} does not exist.`);
    return shortLayerRef(ref);
  });
}
