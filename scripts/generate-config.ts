// Writes config/'s generated files: config/crd/bases (copies of crds/, which kustomize cannot read from outside
// config/), and the manifests of config/rbac, config/manager and config/grafana from the chart (helm template).
// Run: npm run config. test/integration/kustomize-config.test.ts fails while these files are stale.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configFiles } from './config-from-chart.js';
import { repoRoot, templateChart } from './helm-binary.js';

const config = join(repoRoot, 'config');
const bases = join(config, 'crd', 'bases');
rmSync(bases, { recursive: true, force: true });
mkdirSync(bases, { recursive: true });
for (const file of readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml')).sort()) {
  copyFileSync(join(repoRoot, 'crds', file), join(bases, file));
  console.log(`wrote config/crd/bases/${file}`);
}
for (const [file, content] of configFiles(templateChart())) {
  mkdirSync(dirname(join(config, file)), { recursive: true });
  writeFileSync(join(config, file), content);
  console.log(`wrote config/${file}`);
}
