// The images a function pod runs: the klambda image for its agent, and a klambda runtime image per runtime (pure).
import type { Runtime } from '../../api/function.js';
import { RUNTIMES } from '../../api/function.js';

export type RuntimeImages = Record<Runtime, string>;

/**
 * Splits an image reference into its repository (with registry) and the tag/digest that follows it:
 * `ghcr.io/x/klambda:0.1.0` → [`ghcr.io/x/klambda`, `:0.1.0`]; a registry port is not mistaken for a tag.
 */
function splitReference(image: string): [string, string] {
  const at = image.indexOf('@');
  const named = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? '' : image.slice(at);
  const colon = named.lastIndexOf(':');
  if (colon > named.lastIndexOf('/')) return [named.slice(0, colon), named.slice(colon) + digest];
  return [named, digest];
}

/**
 * The runtime image that goes with an agent image: the same registry, path and tag, named `<repository>-<runtime>`
 * (`ghcr.io/x/klambda:0.1.0` → `ghcr.io/x/klambda-nodejs20:0.1.0`). A digest belongs to one image only, so it is dropped
 * (the tag stays): pin runtime images by digest with --runtime-images.
 */
export function runtimeImageFor(agentImage: string, runtime: Runtime): string {
  const [repository, rest] = splitReference(agentImage);
  const tag = rest.startsWith(':') ? rest.split('@')[0]! : '';
  return `${repository}-${runtime}${tag}`;
}

/** Every runtime's image, derived from the agent image, with explicit overrides winning. */
export function runtimeImages(agentImage: string, overrides: Partial<RuntimeImages> = {}): RuntimeImages {
  const out = {} as RuntimeImages;
  for (const runtime of RUNTIMES) out[runtime] = overrides[runtime] ?? runtimeImageFor(agentImage, runtime);
  return out;
}
