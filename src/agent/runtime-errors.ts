// Error values of the execution environment: init failures, and the error payloads Lambda and its Runtime API use.

/** RAPID accepts responses up to 6 MB plus 100 bytes of slack. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

/** The body a function error carries, as runtimes post it and callers receive it. */
export interface FunctionErrorBody {
  errorMessage: string;
  errorType: string;
  stackTrace?: string[];
}

/** Why an execution environment could not initialise; errorType/errorMessage are what an invoke reports. */
export class InitError extends Error {
  override readonly name = 'InitError';
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    /** The runtime's last log lines before it failed. */
    readonly logLines: readonly string[] = [],
  ) {
    super(logLines.length ? `${errorType}: ${errorMessage}\n${logLines.join('\n')}` : `${errorType}: ${errorMessage}`);
  }

  withLogLines(lines: readonly string[]): InitError {
    return new InitError(this.errorType, this.errorMessage, lines);
  }
}

/** Go's names for signals, which RAPID prints in "signal: killed". */
const SIGNAL_NAMES: Record<string, string> = {
  SIGKILL: 'killed', SIGTERM: 'terminated', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted',
  SIGINT: 'interrupt', SIGHUP: 'hangup', SIGBUS: 'bus error', SIGFPE: 'floating point exception',
  SIGILL: 'illegal instruction', SIGPIPE: 'broken pipe', SIGQUIT: 'quit', SIGTRAP: 'trace/breakpoint trap',
  SIGUSR1: 'user defined signal 1', SIGUSR2: 'user defined signal 2', SIGALRM: 'alarm clock',
  SIGSYS: 'bad system call', SIGXCPU: 'CPU time limit exceeded', SIGXFSZ: 'file size limit exceeded',
};

/** "Runtime exited with error: exit status 1" / "…: signal: killed" / "Runtime exited without providing a reason". */
export function exitMessage(code: number | null, signal: string | null): string {
  if (signal) return `Runtime exited with error: signal: ${SIGNAL_NAMES[signal] ?? signal.toLowerCase()}`;
  if (code !== null && code !== 0) return `Runtime exited with error: exit status ${code}`;
  return 'Runtime exited without providing a reason';
}

export const exitErrorPayload = (requestId: string, code: number | null, signal: string | null): string =>
  JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${exitMessage(code, signal)}` });

/** Lambda's answer when a function's processes outgrow its memory: the runtime was SIGKILLed, the error type says why. */
export const outOfMemoryPayload = (requestId: string): string =>
  JSON.stringify({ errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: ${exitMessage(null, 'SIGKILL')}` });

export const timeoutPayload = (requestId: string, timeoutSeconds: number): string =>
  JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` });

export const responseTooLargePayload = (): string =>
  JSON.stringify({
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
  });

/**
 * The error payload for a runtime's POST …/error: the posted JSON as-is when it is a well-formed error,
 * otherwise an error built from what was sent, with errorType from the body or the
 * Lambda-Runtime-Function-Error-Type header.
 */
export function normalizeErrorBody(raw: string, headerType: string | undefined): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const body = parsed as Record<string, unknown>;
    if (typeof body.errorType === 'string' && body.errorType && typeof body.errorMessage === 'string') return raw;
    const errorType = typeof body.errorType === 'string' && body.errorType ? body.errorType : headerType || 'Unhandled';
    const errorMessage = typeof body.errorMessage === 'string' ? body.errorMessage : '';
    return JSON.stringify({ ...body, errorMessage, errorType });
  }
  return JSON.stringify({ errorMessage: raw, errorType: headerType || 'Unhandled' });
}

/** What RAPID answers the runtime. */
export const rapidReplies = {
  accepted: { status: 'OK' },
  invalidRequestId: { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' },
  tooLarge: { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' },
  notFound: { errorMessage: 'Not Found', errorType: 'NotFound' },
  invalidState: (message: string) => ({ errorMessage: message, errorType: 'InvalidStateTransition' }),
} as const;
