// The runtimes klambda runs, and what the API and the Function kind know about each (pure). Adding a runtime starts
// here: its name in RUNTIMES, its row in RUNTIME_FACTS; the compiler then points at every table keyed by Runtime
// (how the agent launches it, its image) that needs a row too.

export const RUNTIMES = ['nodejs20', 'python3.11', 'provided'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** How a runtime's handler string is written. */
export interface HandlerRule {
  /** The whole handler must match this. */
  shape: RegExp;
  /** What the shape means, for an error message: `file.export`. */
  describe: string;
  example: string;
  /** The handler names a file of the code (so it may not leave the code's folder). */
  namesFile: boolean;
}

export interface RuntimeFacts {
  /** Lambda's name for it, as GetFunction reports it. */
  lambdaName: string;
  /** Every name the Lambda API takes for it (Lambda's names, and ours). */
  apiNames: readonly string[];
  /** AWS_EXECUTION_ENV; Lambda sets none for custom runtimes. */
  executionEnv?: string;
  /** Its handler rule; none: any handler, `bootstrap` by default (the runtime reads _HANDLER itself). */
  handler?: HandlerRule;
}

const FILE_DOT_NAME = /^[^\s]+\.[^.\s]+$/;

export const RUNTIME_FACTS: Record<Runtime, RuntimeFacts> = {
  nodejs20: {
    lambdaName: 'nodejs20.x',
    apiNames: ['nodejs20.x', 'nodejs20'],
    executionEnv: 'AWS_Lambda_nodejs20.x',
    handler: { shape: FILE_DOT_NAME, describe: 'file.export', example: 'index.handler', namesFile: true },
  },
  'python3.11': {
    lambdaName: 'python3.11',
    apiNames: ['python3.11'],
    executionEnv: 'AWS_Lambda_python3.11',
    handler: { shape: FILE_DOT_NAME, describe: 'module.function', example: 'app.handler', namesFile: true },
  },
  provided: {
    lambdaName: 'provided.al2023',
    apiNames: ['provided.al2023', 'provided.al2', 'provided'],
  },
};

/** The handler a runtime without a handler rule gets when none is given. */
export const DEFAULT_CUSTOM_HANDLER = 'bootstrap';

/** Our runtime for a name the Lambda API was given, or undefined. */
export function runtimeForApiName(name: string): Runtime | undefined {
  return RUNTIMES.find((r) => RUNTIME_FACTS[r].apiNames.includes(name));
}

/** Every name the Lambda API takes, in the order an error message lists them. */
export const apiRuntimeNames = (): string[] => RUNTIMES.flatMap((r) => RUNTIME_FACTS[r].apiNames.filter((n) => n !== r || n === RUNTIME_FACTS[r].lambdaName));

export const isRuntime = (value: unknown): value is Runtime => typeof value === 'string' && (RUNTIMES as readonly string[]).includes(value);
