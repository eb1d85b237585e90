// Which Secrets a function may read into its environment (spec.secretEnvironment): none that klambda manages in its
// namespace. Each version's agent Secret holds that version's Redis credentials and package URLs; a function naming
// another's would get them. The controller knows those Secrets without reading any Secret: it creates one per Function
// ($LATEST) and FunctionVersion it sees, named by agentSecretName (pure, no I/O).
import type { SecretKeyRef } from '../api/function.js';
import { agentSecretName } from './resources/names.js';

/** What the controller knows of a namespace's functions and versions (its informers' objects). */
export interface KnownObjects {
  functions: ReadonlyArray<{ metadata: { namespace?: string; name: string } }>;
  versions: ReadonlyArray<{ metadata: { namespace?: string }; spec: { functionName: string; version: string } }>;
}

/** The names of the agent Secrets the controller creates in `namespace`: one per Function's $LATEST and per FunctionVersion. */
export function managedSecretNames(namespace: string, known: KnownObjects): Set<string> {
  const names = new Set<string>();
  for (const f of known.functions) if (f.metadata.namespace === namespace) names.add(agentSecretName(f.metadata.name, '$LATEST'));
  for (const v of known.versions) if (v.metadata.namespace === namespace) names.add(agentSecretName(v.spec.functionName, v.spec.version));
  return names;
}

/**
 * Whether `agentSecretName` could give this name to some function, known or not (one created later, or one deleted
 * whose Secret is not yet collected): `<fn>-latest-agent`, `<fn>-v<N>-agent`, or the hashed form a long name takes
 * (dnsLabelName: up to 54 characters of the name, '-', 8 hex digits). Every name it gives has one of these shapes.
 */
export function isAgentSecretShaped(name: string): boolean {
  return /-(latest|v[1-9][0-9]*)-agent$/.test(name) || /^[a-z0-9][-a-z0-9]{0,53}-[0-9a-f]{8}$/.test(name);
}

/**
 * The reconcilers' check of a Function's or FunctionVersion's references: nothing is listed for one without any (the
 * common case), else secretEnvironmentProblem against the agent Secrets of its namespace.
 */
export function secretEnvironmentRefusal(
  secretEnvironment: Record<string, SecretKeyRef> | undefined, namespace: string, ownNamespace: string | undefined, known: () => KnownObjects,
): string | undefined {
  if (Object.keys(secretEnvironment ?? {}).length === 0) return undefined;
  return secretEnvironmentProblem(secretEnvironment, managedSecretNames(namespace, known()), namespace === ownNamespace ? namespace : undefined);
}

/**
 * Why the references cannot be deployed (the first one naming a Secret klambda manages), or undefined. In klambda's
 * own namespace (`ownNamespace`: its Redis and code store credentials) a function reads no Secret at all.
 */
export function secretEnvironmentProblem(secretEnvironment: Record<string, SecretKeyRef> | undefined, managed: ReadonlySet<string>, ownNamespace?: string): string | undefined {
  const names = Object.keys(secretEnvironment ?? {});
  if (ownNamespace !== undefined && names.length > 0) {
    return `spec.secretEnvironment: namespace ${ownNamespace} is klambda's own (it holds klambda's Redis and code store credentials); a function there cannot read Secrets: run it in another namespace`;
  }
  for (const [name, ref] of Object.entries(secretEnvironment ?? {})) {
    if (managed.has(ref.secret) || isAgentSecretShaped(ref.secret)) {
      return `spec.secretEnvironment.${name} names Secret ${ref.secret}, which klambda manages (a function version's agent credentials) or could give that name to; a function may read only the namespace's own Secrets, not klambda's`;
    }
  }
  return undefined;
}
