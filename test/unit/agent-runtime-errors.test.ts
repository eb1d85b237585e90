// Unit tests of the execution environment's error payloads and exit messages.
import {
  exitErrorPayload, exitMessage, InitError, MAX_RESPONSE_BYTES, normalizeErrorBody, responseTooLargePayload, timeoutPayload,
} from '../../src/agent/runtime-errors.js';

describe('runtime error values', () => {
  it('describes how a runtime exited as RAPID does', () => {
    expect(exitMessage(null, 'SIGKILL')).toBe('Runtime exited with error: signal: killed');
    expect(exitMessage(null, 'SIGSEGV')).toBe('Runtime exited with error: signal: segmentation fault');
    expect(exitMessage(3, null)).toBe('Runtime exited with error: exit status 3');
    expect(exitMessage(0, null)).toBe('Runtime exited without providing a reason');
  });

  it('builds the crash and timeout payloads with the request id', () => {
    expect(JSON.parse(exitErrorPayload('r1', 1, null))).toEqual({ errorType: 'Runtime.ExitError', errorMessage: 'RequestId: r1 Error: Runtime exited with error: exit status 1' });
    expect(JSON.parse(timeoutPayload('r1', 3))).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: r1 Error: Task timed out after 3.00 seconds' });
  });

  it('limits responses to 6 MB plus RAPID slack', () => {
    expect(MAX_RESPONSE_BYTES).toBe(6291556);
    expect(JSON.parse(responseTooLargePayload()).errorType).toBe('Function.ResponseSizeTooLarge');
  });

  it('passes a well-formed error body through untouched', () => {
    const body = '{"errorMessage":"boom","errorType":"Error","stackTrace":["at x"]}';
    expect(normalizeErrorBody(body, 'Other')).toBe(body);
  });

  it('takes errorType from the header when the body has none', () => {
    expect(JSON.parse(normalizeErrorBody('{"errorMessage":"boom"}', 'Runtime.Custom'))).toEqual({ errorMessage: 'boom', errorType: 'Runtime.Custom' });
  });

  it('wraps a body that is not JSON', () => {
    expect(JSON.parse(normalizeErrorBody('plain text', undefined))).toEqual({ errorMessage: 'plain text', errorType: 'Unhandled' });
  });

  it('carries the error type, message and the last log lines of a failed init', () => {
    const e = new InitError('Runtime.ImportModuleError', 'no module', ['line 1', 'line 2']);
    expect(e.message).toBe('Runtime.ImportModuleError: no module\nline 1\nline 2');
    expect(e.withLogLines(['x']).logLines).toEqual(['x']);
  });
});
