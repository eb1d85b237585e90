// Cold-start fixture: a Node.js 20 handler returning a small object.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const fixture = {
  runtime: 'nodejs20',
  prepare: async (dir: string): Promise<{ functionName: string; payload?: unknown }> => {
    await writeFile(join(dir, 'node.yaml'), 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: cold-node}\nspec:\n  runtime: nodejs20\n  handler: index.handler\n  code:\n    inline:\n      index.mjs: "export const handler = async (event) => ({ ok: true, event });"\n');
    return { functionName: 'cold-node', payload: { n: 1 } };
  },
};
