// The local mode's FunctionRegistry and ScalerTargets: resolves invocations and environments from the manifest folder.
import { functionArn, type ArnContext, type FunctionNameRef } from '../core/arn.js';
import type { EnvironmentSpec } from '../core/environment-spec.js';
import type { QueueRef } from '../core/queue-contract.js';
import type { FunctionRegistry, ResolvedTarget } from '../core/registry.js';
import { provisionedFor, resolveOn, type AliasRoute, type RouteLookup } from '../core/routes.js';
import type { ScaledTarget, ScalerTargets } from '../scaler/scaler.js';
import type { FunctionSpec } from '../api/function.js';
import type { AliasRouting } from '../core/alias-routing.js';
import { materializeCode } from './code-cache.js';
import { materializeOpt } from './opt-folder.js';
import type { ManifestStore } from './manifest-store.js';

export interface LocalRegistryOptions {
  namespace: string;
  arn: ArnContext;
  codeCacheDir: string;
}

export class LocalRegistry implements FunctionRegistry, ScalerTargets {
  constructor(private readonly store: ManifestStore, private readonly opts: LocalRegistryOptions) {}

  resolve(ref: FunctionNameRef, random: number): ResolvedTarget {
    const ns = this.opts.namespace;
    const fn = this.store.getFunction(ns, ref.name);
    const lookup: RouteLookup | undefined = fn && {
      alias: (name) => {
        const a = this.store.getAlias(ns, ref.name, name);
        if (!a) return undefined;
        const weights = a.spec.routingConfig?.additionalVersionWeights;
        const routing: AliasRouting = { functionVersion: a.spec.functionVersion };
        if (weights) routing.additionalVersionWeights = weights;
        if (a.spec.async) routing.async = a.spec.async;
        return routing;
      },
      version: (v) => this.specOf(ns, ref.name, v),
      ...(fn.spec.reservedConcurrency !== undefined ? { reservedConcurrency: fn.spec.reservedConcurrency } : {}),
    };
    return resolveOn(lookup, ns, ref, random, this.opts.arn);
  }

  async target(queue: QueueRef): Promise<ScaledTarget | undefined> {
    const fn = this.store.getFunction(queue.namespace, queue.functionName);
    const spec = this.specOf(queue.namespace, queue.functionName, queue.version);
    if (!fn || !spec) return undefined;
    const codeDir = await materializeCode(this.store, queue.namespace, spec, this.opts.codeCacheDir);
    const optDir = await materializeOpt(this.store.snapshot(), queue.namespace, spec.layers, this.opts.codeCacheDir);
    const env: EnvironmentSpec = {
      functionName: queue.functionName,
      version: queue.version,
      runtime: spec.runtime,
      handler: spec.handler ?? 'bootstrap',
      codeDir,
      ...(optDir ? { optDir } : {}),
      memoryMB: spec.memoryMB,
      timeoutSeconds: spec.timeoutSeconds,
      ephemeralStorageMB: spec.ephemeralStorageMB,
      // the values of spec.secretEnvironment go into the runtime's environment only (never into a manifest, answer or log)
      environment: { ...spec.environment, ...this.store.snapshot().resolveSecretEnvironment(queue.namespace, spec.secretEnvironment) },
      region: this.opts.arn.region,
      accountId: this.opts.arn.accountId,
      functionArn: functionArn(this.opts.arn, queue.functionName),
    };
    const target: ScaledTarget = { queue, spec: env, provisioned: this.provisionedFor(queue) };
    if (fn.spec.reservedConcurrency !== undefined) target.reserved = fn.spec.reservedConcurrency;
    return target;
  }

  /** Every version of every function in the folder ($LATEST and the published ones). */
  queues(): QueueRef[] {
    const out: QueueRef[] = [];
    for (const fn of this.store.functions()) {
      const namespace = fn.metadata.namespace ?? this.opts.namespace;
      const functionName = fn.metadata.name;
      out.push({ namespace, functionName, version: '$LATEST' });
      for (const v of this.store.versions(namespace, functionName)) out.push({ namespace, functionName, version: v.spec.version });
    }
    return out;
  }

  provisioned(): QueueRef[] {
    const out: QueueRef[] = [];
    for (const fn of this.store.functions()) {
      const ns = fn.metadata.namespace ?? this.opts.namespace;
      const versions = new Set<string>();
      for (const a of this.store.aliases(ns, fn.metadata.name)) {
        if ((a.spec.provisionedConcurrency ?? 0) <= 0) continue;
        versions.add(a.spec.functionVersion);
        for (const v of Object.keys(a.spec.routingConfig?.additionalVersionWeights ?? {})) versions.add(v);
      }
      for (const version of versions) out.push({ namespace: ns, functionName: fn.metadata.name, version });
    }
    return out;
  }

  /** Provisioned concurrency the version gets from its aliases (also exported as a metric by klambda dev). */
  provisionedFor(queue: QueueRef): number {
    return provisionedFor(this.store.aliases(queue.namespace, queue.functionName).map((a) => {
      const route: AliasRoute = { functionVersion: a.spec.functionVersion, provisionedConcurrency: a.spec.provisionedConcurrency ?? 0 };
      const weights = a.spec.routingConfig?.additionalVersionWeights;
      if (weights) route.additionalVersionWeights = weights;
      return route;
    }), queue.version);
  }

  private specOf(ns: string, functionName: string, version: string): FunctionSpec | undefined {
    if (version === '$LATEST') return this.store.getFunction(ns, functionName)?.spec;
    return this.store.getVersion(ns, functionName, version)?.spec.function;
  }
}
