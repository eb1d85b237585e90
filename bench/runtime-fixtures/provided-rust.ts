// Cold-start fixture: a Rust function on the lambda_runtime crate (test/fixtures/rust-bootstrap) as a provided.al2023 bootstrap.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeBootstrapZip } from '../runtime-bootstrap.js';

export const fixture = {
  runtime: 'provided',
  prepare: async (dir: string): Promise<{ functionName: string; payload?: unknown }> => {
    await writeBootstrapZip('build-rust-bootstrap.sh', dir, 'rust.zip');
    await writeFile(join(dir, 'rust.yaml'), 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: cold-rust}\nspec:\n  runtime: provided\n  code: {path: rust.zip}\n');
    return { functionName: 'cold-rust', payload: { name: 'cold' } };
  },
};
