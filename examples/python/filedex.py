"""filedex from Python through the C ABI (ctypes, standard library only).

    python3 filedex.py LIBFILEDEX_SO OPTIONS_JSON < requests.jsonl   # rpc loop
    python3 filedex.py LIBFILEDEX_SO --selftest OPTIONS_JSON

As a module:

    lib = Library("build/libfiledex.so", {"library": "/tmp/lib"})
    info = lib.call("library.info")          # the "result" member, or raises RPCError
    lib.close()
"""
import ctypes
import json
import sys
import threading


class RPCError(Exception):
    """A JSON-RPC error response: .code and .message as documented in docs/rpc.md."""

    def __init__(self, error, raw=None):
        super().__init__("%s (%d)" % (error["message"], error["code"]))
        self.raw = raw  # the error object's JSON text as the library sent it
        self.code = error["code"]
        self.message = error["message"]


def load(path):
    """Loads libfiledex.so and declares the five functions of filedex.h."""
    so = ctypes.CDLL(path)
    # Strings the library returns are declared c_void_p, not c_char_p: ctypes
    # would convert a c_char_p result to bytes and drop the pointer we must
    # pass back to fdx_free.
    so.fdx_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    so.fdx_open.restype = ctypes.c_uint64
    so.fdx_call.argtypes = [ctypes.c_uint64, ctypes.c_char_p]
    so.fdx_call.restype = ctypes.c_void_p
    so.fdx_free.argtypes = [ctypes.c_void_p]
    so.fdx_free.restype = None
    so.fdx_close.argtypes = [ctypes.c_uint64]
    so.fdx_close.restype = ctypes.c_int
    so.fdx_version.argtypes = []
    so.fdx_version.restype = ctypes.c_char_p  # static: never freed
    return so


def _take(so, ptr):
    """Copies a library-owned string into Python and frees it."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        so.fdx_free(ptr)


class Library:
    """One open library. Thread-safe, as the C ABI is."""

    def __init__(self, so_path, options):
        self._so = load(so_path)
        if not isinstance(options, str):
            options = json.dumps(options)
        err = ctypes.c_void_p()
        self._h = self._so.fdx_open(options.encode("utf-8"), ctypes.byref(err))
        if self._h == 0:
            text = _take(self._so, err.value)
            raise RPCError(json.loads(text), raw=text)
        self._ids = 0
        self._lock = threading.Lock()

    def raw(self, request):
        """Sends one request (str) and returns the response text ("" for a notification)."""
        return _take(self._so, self._so.fdx_call(self._h, request.encode("utf-8")))

    def call(self, method, params=None):
        """Calls method and returns its result, raising RPCError on an error response."""
        with self._lock:
            self._ids += 1
            rid = self._ids
        req = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            req["params"] = params
        resp = json.loads(self.raw(json.dumps(req)))
        if "error" in resp:
            raise RPCError(resp["error"])
        return resp["result"]

    def close(self):
        if self._h:
            rc = self._so.fdx_close(self._h)
            self._h = 0
            if rc != 0:
                raise RuntimeError("fdx_close failed")

    def version(self):
        return self._so.fdx_version().decode("utf-8")


def selftest(so_path, options):
    lib = Library(so_path, options)
    assert lib.version(), "fdx_version"
    info = lib.call("library.info")
    assert info["path"] == json.loads(options)["library"], info
    try:
        lib.call("debug.echo", {"nope": 1})
        raise AssertionError("unknown field accepted")
    except RPCError as e:
        assert e.code == -32602 and "nope" in e.message, e
    try:
        Library(so_path, {"library": 1})
        raise AssertionError("bad options accepted")
    except RPCError as e:
        assert e.code == -32602 and "library" in e.message, e
    errors = []

    def work(n):
        for i in range(100):
            r = lib.call("debug.echo", {"count": n * 1000 + i + 1, "text": "ü"})
            if r != {"value": None, "count": n * 1000 + i + 1, "text": "ü"}:
                errors.append(r)

    ts = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors[:3]
    lib.close()
    print("ok: filedex %s Python ctypes selftest passed" % lib.version())


def serve(so_path, options):
    try:
        lib = Library(so_path, options)
    except RPCError as e:
        # The error object as the only line, exit 3: like the C client, so
        # the conformance suite compares open failures too.
        sys.stdout.buffer.write(e.raw.encode("utf-8") + b"\n")
        sys.exit(3)
    for line in sys.stdin.buffer:
        line = line.rstrip(b"\r\n")
        if not line:
            continue
        resp = lib.raw(line.decode("utf-8"))
        if resp:
            # Bytes, not text: the locale's encoding (ASCII under LANG=C)
            # must not decide what reaches the caller.
            sys.stdout.buffer.write(resp.encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()
    lib.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "--selftest":
        selftest(sys.argv[1], sys.argv[3])
    elif len(sys.argv) == 3:
        serve(sys.argv[1], sys.argv[2])
    else:
        sys.exit("usage: filedex.py LIBFILEDEX_SO [--selftest] OPTIONS_JSON")
