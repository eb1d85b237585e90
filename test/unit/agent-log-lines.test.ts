// Unit tests of the START/END/REPORT line formats.
import { billedDurationMs, endLine, initReportLine, parseInitReportLine, parseReportLine, reportLine, startLine, timeoutLogLine, timeoutMessage } from '../../src/agent/log-lines.js';

describe('Lambda log lines', () => {
  it('writes START and END like Lambda', () => {
    expect(startLine('abc', '$LATEST')).toBe('START RequestId: abc Version: $LATEST');
    expect(endLine('abc')).toBe('END RequestId: abc');
  });

  it('writes REPORT with two-decimal durations, billed milliseconds rounded up, tab separated', () => {
    expect(reportLine({ requestId: 'abc', durationMs: 12.3412, memorySizeMB: 128, maxMemoryUsedMB: 60 }))
      .toBe('REPORT RequestId: abc\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB');
  });

  it('adds Init Duration on a cold start', () => {
    expect(reportLine({ requestId: 'a', durationMs: 1, memorySizeMB: 256, maxMemoryUsedMB: 70, initDurationMs: 150 }))
      .toBe('REPORT RequestId: a\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\tInit Duration: 150.00 ms');
  });

  it('bills a timed-out invocation its timeout and marks its status', () => {
    expect(reportLine({ requestId: 'a', durationMs: 3001.5, billedDurationMs: 3000, memorySizeMB: 128, maxMemoryUsedMB: 50, status: 'timeout' }))
      .toBe('REPORT RequestId: a\tDuration: 3001.50 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\tStatus: timeout');
  });

  it('names the error type of a crashed invocation', () => {
    expect(reportLine({ requestId: 'a', durationMs: 5, memorySizeMB: 128, maxMemoryUsedMB: 50, status: 'error', errorType: 'Runtime.ExitError' }))
      .toMatch(/\tStatus: error\tError Type: Runtime\.ExitError$/);
  });

  it('bills at least one millisecond', () => {
    expect(billedDurationMs(0.01)).toBe(1);
    expect(billedDurationMs(1)).toBe(1);
    expect(billedDurationMs(1.001)).toBe(2);
  });

  it('says how long a task may run with two decimals', () => {
    expect(timeoutMessage(3)).toBe('Task timed out after 3.00 seconds');
    expect(timeoutLogLine(new Date('2024-01-02T03:04:05.678Z'), 'abc', 1)).toBe('2024-01-02T03:04:05.678Z abc Task timed out after 1.00 seconds');
  });

  it('reports a failed init', () => {
    expect(initReportLine(12.345, 'Runtime.ImportModuleError'))
      .toBe('INIT_REPORT Init Duration: 12.35 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError');
  });

  it('reads back the fields of a REPORT and an INIT_REPORT line, and nothing from other lines', () => {
    const cold = { requestId: 'a', durationMs: 12.34, billedDurationMs: 13, memorySizeMB: 128, maxMemoryUsedMB: 60, initDurationMs: 150.5 };
    expect(parseReportLine(reportLine(cold))).toEqual(cold);
    const crash = { requestId: 'b', durationMs: 5, billedDurationMs: 5, memorySizeMB: 128, maxMemoryUsedMB: 50, status: 'error' as const, errorType: 'Runtime.ExitError' };
    expect(parseReportLine(reportLine(crash))).toEqual(crash);
    expect(parseReportLine(startLine('a', '$LATEST'))).toBeUndefined();
    expect(parseReportLine('REPORT from a function')).toBeUndefined();
    expect(parseInitReportLine(initReportLine(8.25, 'Runtime.ImportModuleError'))).toEqual({ initDurationMs: 8.25, errorType: 'Runtime.ImportModuleError' });
    expect(parseInitReportLine(reportLine(cold))).toBeUndefined();
  });
});
