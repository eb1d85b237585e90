// Cold-start fixture: a Go function on aws-lambda-go (test/fixtures/go-bootstrap) as a provided.al2023 bootstrap.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeBootstrapZip } from '../runtime-bootstrap.js';

export const fixture = {
  runtime: 'provided',
  prepare: async (dir: string): Promise<{ functionName: string; payload?: unknown }> => {
    await writeBootstrapZip('build-go-bootstrap.sh', dir, 'go.zip');
    await writeFile(join(dir, 'go.yaml'), 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: cold-go}\nspec:\n  runtime: provided\n  code: {path: go.zip}\n');
    return { functionName: 'cold-go', payload: { name: 'cold' } };
  },
};
