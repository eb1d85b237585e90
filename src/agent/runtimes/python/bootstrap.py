# Runtime interface client for python3.11: imports _HANDLER (module.function) from LAMBDA_TASK_ROOT and serves the Lambda Runtime API.
"""Run as `python3 -u bootstrap.py`. One persistent HTTP connection to the Runtime API; output unbuffered."""
import http.client
import importlib
import importlib.machinery
import json
import logging
import os
import socket
import sys
import time
import traceback

BASE = "/2018-06-01/runtime"
_request_id = None


class _Connection:
    """A keep-alive connection to the Runtime API that reconnects once if the agent closed it."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._host, self._port = host, int(port)
        self._conn = None

    def _open(self):
        conn = http.client.HTTPConnection(self._host, self._port)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def call(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = self._open()
            try:
                self._conn.request(method, BASE + path, body=body, headers=headers or {})
                res = self._conn.getresponse()
                return res.status, res.getheaders(), res.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context, identity):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


def _setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)


class _InitFailure(Exception):
    def __init__(self, error_type, message, stack=None):
        super().__init__(message)
        self.error_type = error_type
        self.stack = stack or []


def _module_origin(modname, task_root):
    """Finds modname in LAMBDA_TASK_ROOT only, without running any code: (its file or None, why not)."""
    root = os.path.realpath(task_root)

    def inside(p):
        real = os.path.realpath(p)
        return real == root or real.startswith(root + os.sep)

    locations, origin = [task_root], None
    for part in modname.split("."):
        spec = importlib.machinery.PathFinder.find_spec(part, locations)
        if spec is None:
            return None, "No module named '{}'".format(modname)
        origin = spec.origin if spec.has_location else None
        if origin is not None and not inside(origin):
            return None, "its file leads outside the function's code"
        if spec.submodule_search_locations is not None:
            locations = [p for p in spec.submodule_search_locations if inside(p)]
    return origin, None


def _load_handler(spec, task_root):
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as e:
        raise _InitFailure("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(spec, e))
    # The handler names a file of the function's code, never one elsewhere on the machine.
    if modname.startswith("/") or ".." in modname.split("/"):
        raise _InitFailure("Runtime.MalformedHandlerName",
                           "Bad handler '{}': it must name a file inside the function's code (no '..', no absolute path)".format(spec))
    dotted = modname.replace("/", ".")
    if dotted.split(".")[0] in sys.builtin_module_names:
        raise _InitFailure("Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(modname))
    origin, why = _module_origin(dotted, task_root)
    if why:
        raise _InitFailure("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, why))
    try:
        module = importlib.import_module(dotted)
    except ImportError as e:
        raise _InitFailure("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, e))
    except SyntaxError as e:
        raise _InitFailure("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, e),
                           ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)])
    except Exception as e:
        raise _InitFailure("Runtime.ImportModuleError", "Unable to import module '{}': {}: {}".format(modname, type(e).__name__, e),
                           traceback.format_list(traceback.extract_tb(e.__traceback__)))
    loaded = getattr(module, "__file__", None)
    if origin is not None and (loaded is None or os.path.realpath(loaded) != os.path.realpath(origin)):
        # A module of the same name was already loaded from elsewhere (the standard library's frozen ones).
        raise _InitFailure("Runtime.ImportModuleError",
                           "Unable to import module '{}': a module of that name outside the function's code shadows it".format(modname))
    handler = getattr(module, fname, None)
    if handler is None:
        raise _InitFailure("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))
    if not callable(handler):
        raise _InitFailure("Runtime.HandlerNotFound", "Handler '{}' on module '{}' is not callable".format(fname, modname))
    return handler


def _error_body(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    # Drop this file's own frames: the trace starts in the function's code.
    frames = [f for f in frames if not f.filename.endswith("/bootstrap.py")]
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": _request_id or "",
            "stackTrace": traceback.format_list(frames)}


def _log_error(body):
    lines = ["[ERROR] {}: {}".format(body["errorType"], body["errorMessage"])]
    if body.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in body["stackTrace"])
    sys.stdout.write("\r".join(lines) + "\n")


def _post_error(api, path, body):
    data = json.dumps(body).encode()
    return api.call("POST", path, data, {"Content-Type": "application/json",
                                         "Lambda-Runtime-Function-Error-Type": body["errorType"]})


def _json_header(value):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _invoke(api, handler, headers, body):
    global _request_id
    request_id = headers.get("lambda-runtime-aws-request-id")
    _request_id = request_id
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    context = LambdaContext(request_id, int(headers.get("lambda-runtime-deadline-ms", "0")),
                            headers.get("lambda-runtime-invoked-function-arn"),
                            _json_header(headers.get("lambda-runtime-client-context")),
                            _json_header(headers.get("lambda-runtime-cognito-identity")))
    try:
        event = json.loads(body) if body else None
    except ValueError as e:
        err = {"errorMessage": "Unable to parse event: {}".format(e), "errorType": "Runtime.UnmarshalError", "stackTrace": []}
        _log_error(err)
        return _post_error(api, "/invocation/{}/error".format(request_id), err)
    try:
        result = handler(event, context)
    except Exception as e:
        err = _error_body(e)
        _log_error(err)
        return _post_error(api, "/invocation/{}/error".format(request_id), err)
    try:
        payload = json.dumps(result).encode()
    except (TypeError, ValueError) as e:
        err = {"errorMessage": "Unable to marshal response: {}".format(e), "errorType": "Runtime.MarshalError", "stackTrace": []}
        _log_error(err)
        return _post_error(api, "/invocation/{}/error".format(request_id), err)
    return api.call("POST", "/invocation/{}/response".format(request_id), payload, {"Content-Type": "application/json"})


def main():
    api = _Connection(os.environ["AWS_LAMBDA_RUNTIME_API"])
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    _setup_logging()
    try:
        handler = _load_handler(os.environ.get("_HANDLER", ""), task_root)
    except _InitFailure as e:
        body = {"errorMessage": str(e), "errorType": e.error_type, "stackTrace": e.stack}
        _log_error(body)
        _post_error(api, "/init/error", body)
        sys.exit(1)
    while True:
        status, headers, body = api.call("GET", "/invocation/next")
        if status != 200:
            sys.stderr.write("/invocation/next answered {}: {}\n".format(status, body[:200]))
            sys.exit(1)
        status, _, answer = _invoke(api, handler, {k.lower(): v for k, v in headers}, body)
        if status >= 300:
            sys.stdout.write("[ERROR] Runtime API answered {}: {}\n".format(status, answer.decode(errors="replace")))


if __name__ == "__main__":
    main()
