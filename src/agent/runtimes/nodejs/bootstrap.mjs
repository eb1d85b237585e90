// Runtime interface client for nodejs20: loads _HANDLER from LAMBDA_TASK_ROOT and serves invocations from the Lambda Runtime API.
// Plain JS (not compiled): the agent runs it as `node bootstrap.mjs`. Hot path: one keep-alive connection, little per-invocation work.
import { existsSync, realpathSync } from 'node:fs';
import * as nodeModule from 'node:module';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import util from 'node:util';
import { RuntimeApiClient } from './runtime-api-client.mjs';

const env = process.env;
const BASE = '/2018-06-01/runtime';
const client = new RuntimeApiClient(env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001');

const FUNCTION_NAME = env.AWS_LAMBDA_FUNCTION_NAME;
const FUNCTION_VERSION = env.AWS_LAMBDA_FUNCTION_VERSION;
const MEMORY_MB = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
const LOG_GROUP = env.AWS_LAMBDA_LOG_GROUP_NAME;
const LOG_STREAM = env.AWS_LAMBDA_LOG_STREAM_NAME;

/** The request id that console output is tagged with (Lambda prints "undefined" outside an invocation). */
let currentRequestId;
/** Reports an error for the invocation in progress, then exits (uncaught exceptions, unhandled rejections). */
let failCurrent;
/** What to do when the event loop empties (callback-style handlers, and handlers that never answer). */
let onEmptyLoop = null;

// ---- Runtime API client ----------------------------------------------------------------------------

const call = (method, urlPath) => client.request(method, BASE + urlPath);

const post = (urlPath, json, extraHeaders = '') =>
  client.request('POST', BASE + urlPath, json, `Content-Type: application/json\r\n${extraHeaders}`);

/** The error type goes in a header too: keep it a valid header value. */
const postError = (urlPath, errorBody) =>
  post(urlPath, JSON.stringify(errorBody), `Lambda-Runtime-Function-Error-Type: ${String(errorBody.errorType).replace(/[^\x20-\x7e]/g, '?')}\r\n`);

/** The Runtime API is gone (the environment was torn down): nothing left to do. */
function fatal(err) {
  process.stderr.write(`${new Date().toISOString()}\t${currentRequestId}\tERROR\tRuntime API call failed: ${err?.message ?? err}\n`);
  process.exit(1);
}

// ---- Logging, as Lambda formats it ---------------------------------------------------------------

function patchConsole() {
  const write = (level) => (...args) => {
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args).replace(/\n/g, '\r')}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = (...args) => write('TRACE')(util.format(...args), new Error().stack?.split('\n').slice(2).join('\n'));
}

/** {errorType, errorMessage, stackTrace} for anything a handler may throw or pass to its callback. */
function toErrorBody(err, fallbackType) {
  if (err instanceof Error) {
    const errorType = err.name && err.name !== 'Error' ? err.name : err.constructor?.name || 'Error';
    return { errorType: fallbackType ?? errorType, errorMessage: err.message, stackTrace: err.stack ? err.stack.split('\n') : [] };
  }
  let errorMessage;
  try {
    errorMessage = typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
  } catch {
    errorMessage = String(err);
  }
  return { errorType: fallbackType ?? (err === null ? 'object' : typeof err), errorMessage, stackTrace: [] };
}

function logError(label, body) {
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\tERROR\t${label} \t${JSON.stringify(body)}\n`);
}

// ---- Loading the handler ---------------------------------------------------------------------------

class InitFailure extends Error {
  constructor(errorType, message, cause) {
    super(message);
    this.errorType = errorType;
    this.cause = cause;
  }
}

async function loadHandler(spec, taskRoot) {
  const slash = spec.lastIndexOf('/');
  const dir = spec.slice(0, slash + 1);
  const rest = spec.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) throw new InitFailure('Runtime.MalformedHandlerName', `Bad handler ${spec}: expected file.export`);
  const moduleName = rest.slice(0, dot);
  const exportPath = rest.slice(dot + 1);
  // The handler names a file of the function's code, never one elsewhere on the machine.
  if (path.isAbsolute(spec) || spec.split('/').includes('..')) {
    throw new InitFailure('Runtime.MalformedHandlerName', `'${spec}' is not a valid handler name: it must name a file inside the function's code (no '..', no absolute path)`);
  }
  const base = path.resolve(taskRoot, dir, moduleName);
  const file = ['.mjs', '.js', '.cjs', ''].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new InitFailure('Runtime.ImportModuleError', `Error: Cannot find module '${dir}${moduleName}'`);
  const real = realpathSync(file);
  const root = realpathSync(taskRoot);
  if (!real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
    throw new InitFailure('Runtime.ImportModuleError', `Error: Cannot find module '${dir}${moduleName}': it leads outside the function's code`);
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    const type = err instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    throw new InitFailure(type, `${err?.name ?? 'Error'}: ${err?.message ?? err}`, err);
  }
  const lookup = (root) => exportPath.split('.').reduce((o, k) => (o == null ? undefined : o[k]), root);
  const handler = lookup(mod) ?? lookup(mod.default);
  if (handler === undefined) throw new InitFailure('Runtime.HandlerNotFound', `${dir}${moduleName}.${exportPath} is undefined or not exported`);
  if (typeof handler !== 'function') throw new InitFailure('Runtime.HandlerNotFound', `${dir}${moduleName}.${exportPath} is not a function`);
  return handler;
}

// ---- Invocations ------------------------------------------------------------------------------------

function parseJsonHeader(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The request id and deadline of the event `next` carries; its trace becomes the process's _X_AMZN_TRACE_ID. */
function startInvocation(next) {
  const h = next.headers;
  const requestId = h['lambda-runtime-aws-request-id'];
  currentRequestId = requestId;
  if (h['lambda-runtime-trace-id']) env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
  else delete env._X_AMZN_TRACE_ID;
  return { h, requestId, deadline: Number(h['lambda-runtime-deadline-ms']) };
}

/** Lambda's context object of one invocation (the buffered path adds the callback methods). */
function lambdaContext(h, requestId, deadline) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: FUNCTION_VERSION,
    invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: MEMORY_MB,
    awsRequestId: requestId,
    logGroupName: LOG_GROUP,
    logStreamName: LOG_STREAM,
    clientContext: parseJsonHeader(h['lambda-runtime-client-context']),
    identity: parseJsonHeader(h['lambda-runtime-cognito-identity']),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** Runs one event through the handler; resolves once its result has been posted. */
function runInvocation(handler, next) {
  const { h, requestId, deadline } = startInvocation(next);

  return new Promise((resolve) => {
    let settled = false;
    let callbackResult; // [err, value] once the callback was called
    const begin = () => {
      if (settled) return false;
      settled = true;
      onEmptyLoop = null;
      failCurrent = undefined;
      return true;
    };
    const sent = (p, exitCode) => p.then((res) => {
      if (res.status >= 300) process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tRuntime API answered ${res.status}: ${res.body}\n`);
      if (exitCode !== undefined) process.exit(exitCode);
      resolve();
    }, fatal);
    const settleError = (body, label = 'Invoke Error', exitCode = undefined) => {
      if (!begin()) return;
      logError(label, body);
      sent(postError(`/invocation/${requestId}/error`, body), exitCode);
    };
    const settle = (failed, value) => {
      if (failed) return settleError(toErrorBody(value));
      let json;
      try {
        json = JSON.stringify(value) ?? 'null';
      } catch (err) {
        return settleError(toErrorBody(err, 'Runtime.MarshalError'));
      }
      if (begin()) sent(post(`/invocation/${requestId}/response`, json));
    };
    const context = {
      ...lambdaContext(h, requestId, deadline),
      done: (err, value) => callback(err, value),
      succeed: (value) => callback(null, value),
      fail: (err) => callback(err ?? new Error('handled')),
    };
    const callback = (err, value) => {
      if (callbackResult) return;
      callbackResult = [err, value];
      if (!context.callbackWaitsForEmptyEventLoop) settle(err != null, err ?? value);
    };
    // Lambda's rule: a callback result is sent once the event loop is empty; a handler that never answers gets null.
    onEmptyLoop = () => (callbackResult ? settle(callbackResult[0] != null, callbackResult[0] ?? callbackResult[1]) : settle(false, null));
    failCurrent = settleError;

    let event;
    try {
      event = JSON.parse(next.body);
    } catch (err) {
      settleError(toErrorBody(err, 'Runtime.UnmarshalError'));
      return;
    }
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (err) {
      settle(true, err);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((value) => settle(false, value), (err) => settle(true, err ?? new Error('Promise rejected without a reason')));
    }
  });
}

// ---- Response streaming (awslambda.streamifyResponse), as AWS's runtime interface client does it ---------------

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const METADATA_PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_LEN = 8;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const TRAILERS = 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body';

/** Writes the HTTP status, headers and cookies of a Function URL's answer before the body (its JSON, then 8 NUL bytes). */
class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
    // NUL bytes cannot occur in JSON text: the delimiter is unambiguous
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(DELIMITER_LEN));
    };
    return underlyingStream;
  }
}

function installAwsLambdaGlobal() {
  if (env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA === 'true' || env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA === '1') return;
  globalThis.awslambda = {
    streamifyResponse: (handler, options) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') handler[HANDLER_HIGHWATERMARK] = Math.floor(options.highWaterMark);
      return handler;
    },
    HttpResponseStream,
  };
}

/** A header value (or trailer) keeps to visible ASCII. */
const headerSafe = (v) => String(v).replace(/[^\x20-\x7e]/g, '?');

/**
 * The handler's responseStream: a Writable whose bytes go out as the body of one chunked POST …/response
 * (Lambda-Runtime-Function-Response-Mode: streaming), opened at the first write or at the end; an error ends it
 * with the Lambda-Runtime-Function-Error-Type / -Body trailers.
 */
class ResponseStream extends Writable {
  constructor(requestId, highWaterMark) {
    super(highWaterMark ? { highWaterMark } : {});
    this.requestId = requestId;
    this.contentType = DEFAULT_CONTENT_TYPE;
    this.started = false;
    this.request = null;
    this.failure = null;
    this._onBeforeFirstWrite = undefined;
    // resolves with the Runtime API's answer once the body (and any trailers) went out
    this.posted = new Promise((resolve) => { this.settlePosted = resolve; });
  }

  setContentType(contentType) {
    if (this.started) throw new Error('Cannot set content-type, too late.');
    this.contentType = String(contentType);
  }

  beforeFirst() {
    if (this.started) return;
    this.started = true;
    const before = this._onBeforeFirstWrite;
    if (typeof before === 'function') before((chunk) => super.write(chunk));
  }

  write(chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    this.beforeFirst();
    return super.write(chunk, encoding, callback);
  }

  end(chunk, encoding, callback) {
    if (typeof chunk === 'function') return this.end(undefined, undefined, chunk);
    if (typeof encoding === 'function') return this.end(chunk, undefined, encoding);
    if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
    this.beforeFirst();
    return super.end(callback);
  }

  open() {
    if (!this.request) {
      this.started = true;
      this.request = client.openStream('POST', `${BASE}/invocation/${encodeURIComponent(this.requestId)}/response`,
        `Lambda-Runtime-Function-Response-Mode: streaming\r\nContent-Type: ${headerSafe(this.contentType)}\r\nTrailer: ${TRAILERS}\r\n`);
      this.request.response.then(this.settlePosted, fatal);
    }
    return this.request;
  }

  _write(chunk, _encoding, callback) {
    const req = this.open();
    if (req.write(chunk)) callback();
    else req.drain(() => callback());
  }

  _final(callback) {
    const req = this.open();
    const f = this.failure;
    req.end(f ? `Lambda-Runtime-Function-Error-Type: ${headerSafe(f.errorType)}\r\nLambda-Runtime-Function-Error-Body: ${Buffer.from(JSON.stringify(f)).toString('base64')}\r\n` : '');
    callback();
  }

  /** Ends the response with the error (after what was written); false when it had already gone out whole. */
  fail(errorBody) {
    if (this.request && this.writableFinished) return false;
    this.failure ??= errorBody;
    if (!this.writableEnded) {
      this.beforeFirst();
      super.end();
    }
    return true;
  }
}

/** Runs one event through a streaming handler; resolves once its response stream has been posted. */
function runStreamingInvocation(handler, next) {
  const { h, requestId, deadline } = startInvocation(next);
  const stream = new ResponseStream(requestId, handler[HANDLER_HIGHWATERMARK]);
  // writes after the end, or after a failure, are the handler's bug: logged, never a crash of the runtime
  stream.on('error', (err) => logError('Response stream error', toErrorBody(err)));
  let exitAfter;
  const fail = (body, label = 'Invoke Error', exitCode = undefined) => {
    logError(label, body);
    if (exitCode !== undefined) exitAfter = exitCode;
    if (!stream.fail(body) && exitCode !== undefined) process.exit(exitCode);
  };
  failCurrent = fail;
  // the event loop emptied with the stream still open (a handler that never ends it): nothing more can come
  onEmptyLoop = () => fail(toErrorBody('Response stream is not finished.'));
  const context = lambdaContext(h, requestId, deadline);
  const done = stream.posted.then((res) => {
    failCurrent = undefined;
    onEmptyLoop = null;
    if (res.status >= 300) process.stdout.write(`${new Date().toISOString()}\t${requestId}\tERROR\tRuntime API answered ${res.status}: ${res.body}\n`);
    if (exitAfter !== undefined) process.exit(exitAfter);
  });
  let event;
  try {
    event = JSON.parse(next.body);
  } catch (err) {
    fail(toErrorBody(err, 'Runtime.UnmarshalError'));
    return done;
  }
  let returned;
  try {
    returned = handler(event, stream, context);
  } catch (err) {
    fail(toErrorBody(err));
    return done;
  }
  if (!returned || typeof returned.then !== 'function') {
    fail(toErrorBody('Streaming does not support non-async handlers.'));
    return done;
  }
  // the invocation ends when the stream does (the handler may return first, its pipeline still writing)
  returned.then((value) => {
    if (value !== undefined) console.warn('Streaming handlers ignore return values.');
  }, (err) => fail(toErrorBody(err ?? new Error('Promise rejected without a reason'))));
  return done;
}

process.on('beforeExit', () => {
  const f = onEmptyLoop;
  onEmptyLoop = null;
  if (f) f();
});

// An error nobody caught ends the invocation (and then this process, as Lambda's runtime does).
function dieWith(body, label, exitCode) {
  if (failCurrent) return failCurrent(body, label, exitCode);
  logError(label, body);
  process.exit(exitCode);
}
process.on('uncaughtException', (err) => dieWith(toErrorBody(err), 'Uncaught Exception', 129));
process.on('unhandledRejection', (reason) => {
  const message = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  const stackTrace = reason instanceof Error && reason.stack ? reason.stack.split('\n') : [];
  dieWith({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: message, stackTrace }, 'Unhandled Promise Rejection', 128);
});

/** ES modules find packages in the layers too (NODE_PATH, which Lambda sets for them); Node 20.6+ has the hooks. */
function resolveFromLayers() {
  const folders = (env.NODE_PATH ?? '').split(path.delimiter).filter((f) => path.isAbsolute(f));
  if (folders.length > 0 && typeof nodeModule.register === 'function') {
    // the hooks' thread starts from the working directory: Node 20 waits forever on one that failed to, as it does when
    // getcwd fails (a folder that is gone, or out of reach); the code's, as on Lambda
    try {
      process.cwd();
    } catch {
      if (env.LAMBDA_TASK_ROOT) process.chdir(env.LAMBDA_TASK_ROOT);
    }
    nodeModule.register('./layer-resolve.mjs', import.meta.url, { data: { folders } });
  }
}

async function main() {
  patchConsole();
  resolveFromLayers();
  installAwsLambdaGlobal();
  let handler;
  try {
    handler = await loadHandler(env._HANDLER ?? '', env.LAMBDA_TASK_ROOT ?? process.cwd());
  } catch (err) {
    const body = err instanceof InitFailure
      ? { errorType: err.errorType, errorMessage: err.message, stackTrace: err.cause?.stack ? err.cause.stack.split('\n') : [] }
      : toErrorBody(err, 'Runtime.Unknown');
    logError('Init Error', body);
    await postError('/init/error', body).catch(() => undefined);
    process.exit(1);
  }
  const streaming = handler[HANDLER_STREAMING] === STREAM_RESPONSE;
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`/invocation/next answered ${next.status}: ${next.body}`);
    await (streaming ? runStreamingInvocation(handler, next) : runInvocation(handler, next));
  }
}

main().catch(fatal);
