// klambda dev's console sinks: JSON mode writes what klambda dev always wrote; text mode writes the console format,
// events on stderr and function lines on stdout, coloured only where the stream is a terminal.
import { Writable } from 'node:stream';
import { reportLine, startLine } from '../../src/agent/log-lines.js';
import { devConsole } from '../../src/local/console.js';

function stream(isTTY: boolean): { s: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const s: Writable & { isTTY?: boolean } = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
  s.isTTY = isTTY;
  return { s, text: () => text };
}

const q = { namespace: 'default', functionName: 'hello', version: '$LATEST' };
const id = '3f2a91c0-5b7e-4d2a-9c1f-0123456789c9';
const report = reportLine({ requestId: id, durationMs: 3, memorySizeMB: 128, maxMemoryUsedMB: 40 });
const at = new Date(2024, 0, 2, 12, 3, 4);

it('json: JSON lines on stderr, `[function:version] line` on stdout, the listening line as it was', () => {
  const out = stream(true);
  const err = stream(true);
  const c = devConsole('json', { stdout: out.s, stderr: err.s, env: {} });
  c.logger.info({ msg: 'manifests reloaded', functions: ['hello'] });
  c.functionLog(q, startLine(id, '$LATEST'));
  c.functionLog(q, report);
  c.say('klambda listening on http://127.0.0.1:9000');
  expect(out.text()).toBe(`[hello:$LATEST] ${startLine(id, '$LATEST')}\n[hello:$LATEST] ${report}\nklambda listening on http://127.0.0.1:9000\n`);
  expect(JSON.parse(err.text())).toMatchObject({ level: 'info', component: 'klambda-dev', msg: 'manifests reloaded', functions: ['hello'] });
});

it('text: one line per invocation on stdout, events on stderr, no colour off a terminal or with NO_COLOR', () => {
  const out = stream(false);
  const err = stream(true);
  const c = devConsole('text', { stdout: out.s, stderr: err.s, env: { NO_COLOR: '1' }, now: () => at });
  c.functionLog(q, startLine(id, '$LATEST'));
  c.functionLog(q, report);
  c.logger.error({ msg: 'scaling failed', queue: 'default/hello/$LATEST', error: 'boom' });
  c.flush();
  expect(out.text()).toBe('12:03:04 hello:$LATEST 3f2a91c0 done 3.0 ms warm\n');
  expect(err.text()).toBe('12:03:04 error hello:$LATEST scaling failed: boom\n');
});

it('text: colour on the stream that is a terminal only', () => {
  const out = stream(true);
  const err = stream(false);
  const c = devConsole('text', { stdout: out.s, stderr: err.s, env: {}, now: () => at });
  c.say('klambda listening on http://127.0.0.1:9000');
  c.logger.warn({ msg: 'environment exited', queue: 'default/hello/$LATEST' });
  expect(out.text()).toContain('\x1b[');
  expect(err.text()).toBe('12:03:04 warn hello:$LATEST environment exited\n');
});
