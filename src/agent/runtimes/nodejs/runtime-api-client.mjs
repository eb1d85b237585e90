// A minimal HTTP/1.1 client for the Runtime API: one kept-alive socket, one request at a time, Content-Length bodies
// (and one chunked body: a streamed response, see openStream).
// node:http's client costs more per request than the rest of an invocation; this is the hot path of every invoke.
import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

export class RuntimeApiClient {
  /** @param {string} address host:port, as in AWS_LAMBDA_RUNTIME_API */
  constructor(address) {
    const colon = address.lastIndexOf(':');
    this.host = address.slice(0, colon);
    this.port = Number(address.slice(colon + 1));
    this.address = address;
    this.socket = null;
    this.pending = null;
    this.reset();
  }

  reset() {
    this.chunks = [];
    this.size = 0;
    this.head = null;
  }

  /**
   * Sends one request; resolves with {status, headers, body} (body as UTF-8 text).
   * @param {string} method
   * @param {string} path
   * @param {string} [body]
   * @param {string} [extraHeaders] complete header lines, each ending in \r\n
   */
  request(method, path, body = '', extraHeaders = '') {
    if (this.pending) return Promise.reject(new Error('RuntimeApiClient: one request at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      const socket = this.connect();
      socket.ref(); // a request in flight keeps the process alive
      // Head and body in one write: one syscall, one TCP segment for small bodies.
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${this.address}\r\n${extraHeaders}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  /**
   * Starts a request whose body is sent as it is written (Transfer-Encoding: chunked), as a streamed response is.
   * Returns {write(buf) → false when the socket buffers (wait for drain(cb)), end(trailerLines), response}; the
   * response resolves as request() does.
   * @param {string} method
   * @param {string} path
   * @param {string} extraHeaders complete header lines, each ending in \r\n
   */
  openStream(method, path, extraHeaders = '') {
    if (this.pending) throw new Error('RuntimeApiClient: one request at a time');
    const response = new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    const socket = this.connect();
    socket.ref();
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${this.address}\r\n${extraHeaders}Transfer-Encoding: chunked\r\n\r\n`);
    return {
      response,
      write: (buf) => {
        if (buf.length === 0) return true;
        socket.cork();
        socket.write(`${buf.length.toString(16)}\r\n`);
        socket.write(buf);
        const ok = socket.write('\r\n');
        socket.uncork();
        return ok;
      },
      drain: (cb) => {
        if (!socket.writableNeedDrain || socket.destroyed) return cb();
        const done = () => { socket.off('drain', done); socket.off('close', done); cb(); };
        socket.on('drain', done);
        socket.on('close', done);
      },
      end: (trailerLines = '') => void socket.write(`0\r\n${trailerLines}\r\n`),
    };
  }

  connect() {
    if (this.socket) return this.socket;
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => {
      if (this.socket === socket) this.fail(err);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.fail(new Error('Runtime API connection closed'));
    });
    this.socket = socket;
    this.reset();
    return socket;
  }

  fail(err) {
    const p = this.pending;
    this.pending = null;
    this.reset();
    if (this.socket) {
      this.socket.destroy();
      this.socket = null;
    }
    p?.reject(err);
  }

  onData(chunk) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (!this.head && !this.parseHead()) return;
    if (this.size < this.head.length) return;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    const { status, headers, length } = this.head;
    const body = buf.toString('utf8', 0, length);
    if (buf.length > length) return this.fail(new Error('Runtime API sent more than one response'));
    this.reset();
    // The server is closing the connection (it refused a streamed body it stopped reading): the next request opens another.
    if (headers.connection === 'close' && this.socket) {
      this.socket.destroy();
      this.socket = null;
    }
    // Idle, the connection must not keep the event loop alive: Lambda's callback handlers answer on 'beforeExit'.
    this.socket?.unref();
    const p = this.pending;
    this.pending = null;
    p?.resolve({ status, headers, body });
  }

  /** Parses the status line and headers once they are all in; leaves the body bytes in `chunks`. */
  parseHead() {
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    const end = buf.indexOf(HEAD_END);
    if (end === -1) {
      this.chunks = [buf];
      return false;
    }
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (headers['transfer-encoding']) {
      this.fail(new Error(`Runtime API answered with Transfer-Encoding: ${headers['transfer-encoding']}; only Content-Length is supported`));
      return false;
    }
    // Header values are latin1 on the wire; the ones a runtime reads as text (ARN, client context) are UTF-8.
    for (const k of Object.keys(headers)) if (/[\x80-\xff]/.test(headers[k])) headers[k] = Buffer.from(headers[k], 'latin1').toString('utf8');
    const rest = buf.subarray(end + HEAD_END.length);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    this.head = { status, headers, length: Number(headers['content-length'] ?? 0) };
    return true;
  }
}
