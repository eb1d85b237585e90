// The platform's log lines around each invocation (START, END, REPORT, INIT_*), formatted like AWS Lambda's.

/** Two decimals, as Lambda prints durations ("12.34"). */
export const twoDecimals = (ms: number): string => ms.toFixed(2);

export const startLine = (requestId: string, version: string): string => `START RequestId: ${requestId} Version: ${version}`;

export const endLine = (requestId: string): string => `END RequestId: ${requestId}`;

export const initStartLine = (runtime: string): string => `INIT_START Runtime Version: ${runtime}`;

/** Lambda bills whole milliseconds, rounded up, at least 1 ms. */
export const billedDurationMs = (durationMs: number): number => Math.max(1, Math.ceil(durationMs));

export interface ReportFields {
  requestId: string;
  durationMs: number;
  /** Defaults to billedDurationMs(durationMs); a timed-out invocation is billed its timeout. */
  billedDurationMs?: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  /** Only on the first invocation after an init (a cold start). */
  initDurationMs?: number;
  /** Set when the invocation did not end normally, as in Lambda's newer REPORT lines. */
  status?: 'timeout' | 'error';
  errorType?: string;
}

export function reportLine(f: ReportFields): string {
  let line = `REPORT RequestId: ${f.requestId}\tDuration: ${twoDecimals(f.durationMs)} ms`
    + `\tBilled Duration: ${f.billedDurationMs ?? billedDurationMs(f.durationMs)} ms`
    + `\tMemory Size: ${f.memorySizeMB} MB\tMax Memory Used: ${f.maxMemoryUsedMB} MB`;
  if (f.initDurationMs !== undefined) line += `\tInit Duration: ${twoDecimals(f.initDurationMs)} ms`;
  if (f.status) line += `\tStatus: ${f.status}`;
  if (f.errorType) line += `\tError Type: ${f.errorType}`;
  return line;
}

/** Written when an init fails: `INIT_REPORT Init Duration: 12.34 ms\tPhase: init\tStatus: error\tError Type: …`. */
export const initReportLine = (initDurationMs: number, errorType: string): string =>
  `INIT_REPORT Init Duration: ${twoDecimals(initDurationMs)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`;

/** `Task timed out after 3.00 seconds`. */
export const timeoutMessage = (timeoutSeconds: number): string => `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;

/** The line Lambda writes when a task times out: `<ISO time> <id> Task timed out after 3.00 seconds`. */
export const timeoutLogLine = (now: Date, requestId: string, timeoutSeconds: number): string =>
  `${now.toISOString()} ${requestId} ${timeoutMessage(timeoutSeconds)}`;

/** The fields of a REPORT line (what reportLine wrote), or undefined for any other line. */
export function parseReportLine(line: string): ReportFields | undefined {
  const [head, ...parts] = line.split('\t');
  const id = /^REPORT RequestId: (\S+)$/.exec(head ?? '')?.[1];
  if (id === undefined) return undefined;
  const field = new Map(parts.map((p) => { const at = p.indexOf(': '); return [p.slice(0, at), p.slice(at + 2)] as const; }));
  const number = (name: string): number | undefined => {
    const v = field.get(name);
    return v === undefined ? undefined : Number.parseFloat(v);
  };
  const durationMs = number('Duration');
  if (durationMs === undefined || Number.isNaN(durationMs)) return undefined;
  const f: ReportFields = {
    requestId: id, durationMs, billedDurationMs: number('Billed Duration') ?? billedDurationMs(durationMs),
    memorySizeMB: number('Memory Size') ?? 0, maxMemoryUsedMB: number('Max Memory Used') ?? 0,
  };
  const init = number('Init Duration');
  if (init !== undefined) f.initDurationMs = init;
  const status = field.get('Status');
  if (status === 'timeout' || status === 'error') f.status = status;
  const errorType = field.get('Error Type');
  if (errorType !== undefined) f.errorType = errorType;
  return f;
}

/** The init duration and error type of an INIT_REPORT line (a failed init), or undefined for any other line. */
export function parseInitReportLine(line: string): { initDurationMs: number; errorType: string } | undefined {
  const m = /^INIT_REPORT Init Duration: ([\d.]+) ms\t.*?Error Type: (.+)$/.exec(line);
  return m ? { initDurationMs: Number.parseFloat(m[1]!), errorType: m[2]! } : undefined;
}
