// Test helper, run as its own process: sends one request with a big body and prints what came back when the
// server closes the connection. A separate process, as a real client is: in the server's own event loop a client
// can be told of the server's reset on a write before it reads the answer sent just before it.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';

export interface UploadSpec {
  port: number;
  /** Request line and headers, up to and including the blank line. */
  head: string;
  bodyBytes: number;
  /** Send the body as 1 MB chunks (Transfer-Encoding: chunked in `head`). */
  chunked: boolean;
}

const MB = 1024 * 1024;

function body(spec: UploadSpec): Buffer {
  if (!spec.chunked) return Buffer.alloc(spec.bodyBytes, 0x20);
  const piece = Buffer.alloc(MB, 0x20);
  const frames = Array.from({ length: Math.ceil(spec.bodyBytes / MB) }, () => [Buffer.from(`${MB.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
  return Buffer.concat([...frames.flat(), Buffer.from('0\r\n\r\n')]);
}

/** Runs the upload in a child process; resolves with everything the server answered before it closed. */
export function uploadFromAnotherProcess(spec: UploadSpec): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'test/helpers/upload-client.ts', JSON.stringify(spec)],
      { maxBuffer: 1024 * 1024, timeout: 60_000 }, (err, stdout) => {
        if (err) reject(err);
        else resolve((JSON.parse(stdout) as { response: string }).response);
      });
  });
}

if (process.argv[1]?.endsWith('upload-client.ts') && process.argv[2]) {
  const spec = JSON.parse(process.argv[2]) as UploadSpec;
  const socket = connect(spec.port, '127.0.0.1');
  let response = '';
  socket.on('data', (d: Buffer) => {
    response += d.toString('latin1');
    // as an HTTP client does: a complete answer ends the upload
    const end = response.indexOf('\r\n\r\n');
    const length = /\r\ncontent-length: *(\d+)\r\n/i.exec(response);
    if (end >= 0 && length && response.length >= end + 4 + Number(length[1])) socket.destroy();
  });
  socket.on('error', () => undefined); // the server's reset after its answer is expected
  socket.on('close', () => { process.stdout.write(JSON.stringify({ response })); });
  // one write: the socket sends it as fast as the server takes it and reads the answer as soon as it comes
  socket.write(Buffer.concat([Buffer.from(spec.head, 'latin1'), body(spec)]));
}
