// The Gateway API's standard CRDs for the control plane: $KLAMBDA_GATEWAY_API_CRDS, or fetched and cached by
// hack/testbin/fetch-gateway-api-crds.sh (the Go module sigs.k8s.io/gateway-api).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import type { KubeClient } from '../../src/kube/client.js';
import { waitFor } from '../helpers/wait.js';

export function gatewayApiCrds(): string {
  if (process.env.KLAMBDA_GATEWAY_API_CRDS) return process.env.KLAMBDA_GATEWAY_API_CRDS;
  const script = join(packageRoot(), 'hack', 'testbin', 'fetch-gateway-api-crds.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`fetching the Gateway API CRDs failed (bash ${script}, exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  const lines = r.stdout.trim().split('\n');
  return lines[lines.length - 1]!;
}

/** Creates every CustomResourceDefinition of the folder (not its other objects) and waits until HTTPRoutes are served. */
export async function installGatewayApiCrds(admin: KubeClient): Promise<void> {
  const dir = gatewayApiCrds();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const obj = doc.toJS() as { kind?: string } | null;
      if (obj?.kind === 'CustomResourceDefinition') await admin.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', obj);
    }
  }
  await waitFor(() => admin.get('/apis/gateway.networking.k8s.io/v1/httproutes').then(() => true, () => undefined), 30_000, 'httproutes served', 100);
}
