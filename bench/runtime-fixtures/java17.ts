// Cold-start fixture: a java17 RequestHandler<Map<String,Object>,String> (test/fixtures/java-functions, example.Hello)
// shipped as a jar, on AWS's Java runtime interface client (hack/testbin/fetch-java-ric.sh) and the installed JDK 17.
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { javaFunctions, useJavaRic } from '../../test/helpers/java.js';

export const fixture = {
  runtime: 'java17',
  prepare: async (dir: string): Promise<{ functionName: string; payload?: unknown }> => {
    useJavaRic(); // KLAMBDA_JAVA_RIC_DIR for the agents this process starts
    await copyFile(join(javaFunctions(), 'functions.jar'), join(dir, 'hello.jar'));
    await writeFile(join(dir, 'java.yaml'), 'apiVersion: klambda.dev/v1alpha1\nkind: Function\nmetadata: {name: cold-java17}\nspec:\n  runtime: java17\n'
      + '  handler: example.Hello::handleRequest\n  memoryMB: 512\n  code: {path: hello.jar}\n');
    return { functionName: 'cold-java17', payload: { name: 'cold' } };
  },
};
