// Cold-start fixture: a Python 3.11 handler returning a small dict.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const fixture = {
  runtime: 'python3.11',
  prepare: async (dir: string): Promise<{ functionName: string; payload?: unknown }> => {
    await writeFile(join(dir, 'python.yaml'), 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: cold-python}\nspec:\n  runtime: python3.11\n  handler: app.handler\n  code:\n    inline:\n      app.py: |\n        def handler(event, context):\n            return {"ok": True, "event": event}\n');
    return { functionName: 'cold-python', payload: { n: 1 } };
  },
};
