// The runtimes klambda runs, and what the API and the Function kind know about each (pure). Adding a runtime starts
// here: its name in RUNTIMES, its row in RUNTIME_FACTS; the compiler then points at every table keyed by Runtime
// (how the agent launches it, its image) that needs a row too.

export const RUNTIMES = ['nodejs20', 'python3.11', 'provided', 'ruby3', 'dotnet8', 'java17', 'java21'] as const;
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
/** `pkg.Class::method` or `pkg.Class` (a RequestHandler / RequestStreamHandler's handleRequest), as AWS's Java client reads it. */
const JAVA_HANDLER = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*(::[A-Za-z_$][\w$]*)?$/;

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
  // The Ruby installed where it runs (Debian 12's 3.1, locally and in the image); the API takes Lambda's Ruby 3 names.
  ruby3: {
    lambdaName: 'ruby3.2',
    apiNames: ['ruby3.2', 'ruby3.3', 'ruby3.4', 'ruby3'],
    executionEnv: 'AWS_Lambda_ruby3.2',
    handler: { shape: /^[^\s.]+(\.[A-Z]\w*(::[A-Z]\w*)*)?\.[a-z_]\w*[?!]?$/, describe: 'file.method or file.Module::Class.method', example: 'lambda_function.lambda_handler', namesFile: true },
  },
  // Amazon.Lambda.RuntimeSupport on the installed dotnet: a class library (Assembly::Namespace.Class::Method) or an executable assembly.
  dotnet8: {
    lambdaName: 'dotnet8',
    apiNames: ['dotnet8'],
    executionEnv: 'AWS_Lambda_dotnet8',
    handler: { shape: /^[\w.-]+(::[\w.+`]+::\w+)?$/, describe: 'Assembly::Namespace.Class::Method or Assembly', example: 'MyFunction::MyFunction.Function::Handler', namesFile: false },
  },
  // AWS's aws-lambda-java-runtime-interface-client on a JDK of the runtime's major version (src/core/java-install.ts).
  java17: {
    lambdaName: 'java17',
    apiNames: ['java17'],
    executionEnv: 'AWS_Lambda_java17',
    handler: { shape: JAVA_HANDLER, describe: 'package.Class::method or package.Class', example: 'example.Handler::handleRequest', namesFile: false },
  },
  java21: {
    lambdaName: 'java21',
    apiNames: ['java21'],
    executionEnv: 'AWS_Lambda_java21',
    handler: { shape: JAVA_HANDLER, describe: 'package.Class::method or package.Class', example: 'example.Handler::handleRequest', namesFile: false },
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
