// What an execution environment needs to know to run one function version.

import type { Runtime } from './runtimes.js';

export type { Runtime };

export interface EnvironmentSpec {
  functionName: string;
  /** "$LATEST" or a published version number. */
  version: string;
  runtime: Runtime;
  handler: string;
  /** Absolute path of the unpacked code (LAMBDA_TASK_ROOT). */
  codeDir: string;
  /** Absolute path of the function's layers, merged (Lambda's /opt); none without layers. */
  optDir?: string;
  memoryMB: number;
  timeoutSeconds: number;
  ephemeralStorageMB: number;
  environment: Record<string, string>;
  region: string;
  accountId: string;
  /** The unqualified function ARN. */
  functionArn: string;
}
