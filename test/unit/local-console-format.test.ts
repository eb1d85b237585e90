// klambda dev's text console: one line a person reads per invocation, function lines under their name and request id,
// klambda's own events as short lines; colour only on a terminal without NO_COLOR; JSON stays the default off a terminal.
import { endLine, initReportLine, initStartLine, reportLine, startLine, timeoutLogLine } from '../../src/agent/log-lines.js';
import { ansiPaint, ConsoleFormat, defaultLogFormat, humanDuration, noPaint, wantsColour } from '../../src/local/console-format.js';

const hello = { functionName: 'hello', version: '$LATEST' };
const id = '3f2a91c0-5b7e-4d2a-9c1f-0123456789c9';
const other = '77aa0000-1111-4222-8333-444455556666';
// local time, so the expected clock reads the same in any TZ
const at = new Date(2024, 0, 2, 12, 3, 4);
const plain = () => new ConsoleFormat(noPaint);

describe('the invocation line', () => {
  it('shows function, version, short request id, duration and a cold start with its init, from the REPORT line', () => {
    const f = plain();
    expect(f.functionLine(hello, initStartLine('nodejs20'), at)).toBeUndefined();
    expect(f.functionLine(hello, startLine(id, '$LATEST'), at)).toBeUndefined();
    expect(f.functionLine(hello, endLine(id), at)).toBeUndefined();
    const report = reportLine({ requestId: id, durationMs: 12.34, memorySizeMB: 128, maxMemoryUsedMB: 60, initDurationMs: 45.1 });
    expect(f.functionLine(hello, report, at)).toBe('12:03:04 hello:$LATEST 3f2a91c0 done 12.3 ms cold (init 45.1 ms)');
  });

  it('says warm without an init, and names a timeout or a crash', () => {
    const f = plain();
    expect(f.functionLine({ functionName: 'hello', version: '3' }, reportLine({ requestId: id, durationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 60 }), at))
      .toBe('12:03:04 hello:3 3f2a91c0 done 2.0 ms warm');
    expect(f.functionLine(hello, reportLine({ requestId: id, durationMs: 3001.5, billedDurationMs: 3000, memorySizeMB: 128, maxMemoryUsedMB: 50, status: 'timeout' }), at))
      .toBe('12:03:04 hello:$LATEST 3f2a91c0 timeout 3.00 s warm');
    expect(f.functionLine(hello, reportLine({ requestId: id, durationMs: 5, memorySizeMB: 128, maxMemoryUsedMB: 50, status: 'error', errorType: 'Runtime.ExitError' }), at))
      .toBe('12:03:04 hello:$LATEST 3f2a91c0 error Runtime.ExitError 5.0 ms');
  });

  it('says which init failed and why', () => {
    expect(plain().functionLine(hello, initReportLine(8.25, 'Runtime.ImportModuleError'), at))
      .toBe('12:03:04 hello:$LATEST init failed Runtime.ImportModuleError (init 8.3 ms)');
  });
});

describe("a function's own lines", () => {
  it("keep the runtime's time and request id, and name a level other than INFO", () => {
    const f = plain();
    const t = '2024-01-02T10:00:09.123Z';
    const clock = (iso: string) => { const d = new Date(iso); return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':'); };
    expect(f.functionLine(hello, `${t}\t${id}\tINFO\thi there`, at)).toBe(`${clock(t)} hello:$LATEST 3f2a91c0 hi there`);
    expect(f.functionLine(hello, `${t}\t${id}\tERROR\tInvoke Error \t{"errorType":"Error"}`, at)).toBe(`${clock(t)} hello:$LATEST 3f2a91c0 ERROR Invoke Error \t{"errorType":"Error"}`);
    expect(f.functionLine(hello, `[WARNING]\t${t}\t${id}\tfrom python`, at)).toBe(`${clock(t)} hello:$LATEST 3f2a91c0 WARNING from python`);
    expect(f.functionLine(hello, timeoutLogLine(new Date(t), id, 3), at)).toBe(`${clock(t)} hello:$LATEST 3f2a91c0 Task timed out after 3.00 seconds`);
  });

  it('without a request id of their own get the id of the one invocation running, and none when several run', () => {
    const f = plain();
    expect(f.functionLine(hello, 'loading the model', at)).toBe('12:03:04 hello:$LATEST loading the model');
    f.functionLine(hello, startLine(id, '$LATEST'), at);
    expect(f.functionLine(hello, 'print() output', at)).toBe('12:03:04 hello:$LATEST 3f2a91c0 print() output');
    // another version's invocation is not this one's
    f.functionLine({ functionName: 'hello', version: '1' }, startLine(other, '1'), at);
    expect(f.functionLine(hello, 'still one', at)).toBe('12:03:04 hello:$LATEST 3f2a91c0 still one');
    f.functionLine(hello, startLine(other, '$LATEST'), at);
    expect(f.functionLine(hello, 'two running', at)).toBe('12:03:04 hello:$LATEST two running');
    f.functionLine(hello, reportLine({ requestId: id, durationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 1 }), at);
    expect(f.functionLine(hello, 'one again', at)).toBe('12:03:04 hello:$LATEST 77aa0000 one again');
    // a Node runtime logging during its init writes "undefined" as the id
    expect(f.functionLine(hello, '2024-01-02T10:00:09.123Z\tundefined\tINFO\tat import', at)).toMatch(/ hello:\$LATEST 77aa0000 at import$/);
  });
});

describe("klambda's own events", () => {
  it('are short lines: subject, message, error, the other fields as key=value', () => {
    const f = plain();
    expect(f.event('info', { msg: 'manifests reloaded', functions: ['hello', 'world'] }, at)).toBe('12:03:04 manifests reloaded: hello, world');
    expect(f.event('info', { msg: 'manifests reloaded', functions: [] }, at)).toBe('12:03:04 manifests reloaded');
    expect(f.event('error', { msg: 'manifests not reloaded', error: 'bad.yaml: spec.memoryMB: must be >= 128' }, at))
      .toBe('12:03:04 error manifests not reloaded: bad.yaml: spec.memoryMB: must be >= 128');
    expect(f.event('info', { msg: 'scaled', queue: 'default/hello/$LATEST', from: 0, to: 1 }, at)).toBe('12:03:04 hello:$LATEST scaled from=0 to=1');
    expect(f.event('warn', { msg: 'environment exited', queue: 'default/hello/1', code: null, signal: 'SIGKILL', note: 'two words' }, at))
      .toBe('12:03:04 warn hello:1 environment exited code=null signal=SIGKILL note="two words"');
  });

  it("show an agent's JSON line by its message, and a line that is not JSON as it is", () => {
    const f = plain();
    const line = JSON.stringify({ time: 't', level: 'warn', component: 'agent', function: 'hello', version: '$LATEST', msg: 'invocation timed out; re-initialising', requestId: id });
    expect(f.event('warn', { source: 'agent', function: 'hello', version: '$LATEST', line }, at))
      .toBe(`12:03:04 warn hello:$LATEST agent: invocation timed out; re-initialising requestId=${id}`);
    expect(f.event('warn', { source: 'agent', function: 'hello', version: '$LATEST', line: 'klambda agent: Error: x' }, at))
      .toBe('12:03:04 warn hello:$LATEST agent: klambda agent: Error: x');
  });

  it('and its own lines carry the time', () => {
    expect(plain().say('klambda listening on http://127.0.0.1:9000', at)).toBe('12:03:04 klambda listening on http://127.0.0.1:9000');
  });
});

describe('colour and the default format', () => {
  it('colours only a terminal, and not with NO_COLOR set (to anything but empty)', () => {
    expect(wantsColour(true, {})).toBe(true);
    expect(wantsColour(true, { NO_COLOR: '' })).toBe(true);
    expect(wantsColour(true, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(false, {})).toBe(false);
    expect(wantsColour(undefined, {})).toBe(false);
  });

  it('paints the parts with ANSI codes that strip back to the plain line', () => {
    const report = reportLine({ requestId: id, durationMs: 1, memorySizeMB: 128, maxMemoryUsedMB: 1, initDurationMs: 2 });
    const coloured = new ConsoleFormat(ansiPaint).functionLine(hello, report, at)!;
    expect(coloured).toContain('\x1b[');
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(plain().functionLine(hello, report, at));
  });

  it('is text on a terminal and JSON otherwise', () => {
    expect(defaultLogFormat(true)).toBe('text');
    expect(defaultLogFormat(false)).toBe('json');
    expect(defaultLogFormat(undefined)).toBe('json');
  });

  it('writes durations in ms under a second, in seconds from there', () => {
    expect(humanDuration(0.04)).toBe('0.0 ms');
    expect(humanDuration(999.94)).toBe('999.9 ms');
    expect(humanDuration(1234)).toBe('1.23 s');
  });
});
