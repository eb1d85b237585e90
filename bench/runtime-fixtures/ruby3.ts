// Cold-start fixture: a Ruby handler as AWS's docs write it (`def lambda_handler(event:, context:)`), on the Ruby installed.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const fixture = {
  runtime: 'ruby3',
  prepare: async (dir: string): Promise<{ functionName: string; payload?: unknown }> => {
    await writeFile(join(dir, 'ruby.yaml'), 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: cold-ruby}\nspec:\n  runtime: ruby3\n  handler: lambda_function.lambda_handler\n  code:\n    inline:\n      lambda_function.rb: "def lambda_handler(event:, context:)\\n  { ok: true, event: event }\\nend\\n"\n');
    return { functionName: 'cold-ruby', payload: { n: 1 } };
  },
};
