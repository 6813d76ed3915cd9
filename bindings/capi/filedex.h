/*
 * filedex.h — the C ABI of filedex (libfiledex.so, built by `make capi`).
 *
 * Every call takes and returns JSON: requests and responses are JSON-RPC 2.0
 * (https://www.jsonrpc.org/specification) as documented in docs/rpc.md; the
 * method table is the same on every filedex transport.
 *
 * Ownership, in one line: every char* this library returns is yours and must
 * be released with fdx_free(), except fdx_version()'s; every const char* you
 * pass in stays yours and is copied before the call returns.
 *
 * Threads: all functions may be called from any thread. Calls on one handle
 * serialize; calls on different handles run in parallel.
 * Encoding: all strings are NUL-terminated UTF-8.
 * Errors never abort the process: a failure inside the library (even a Go
 * panic) becomes an error object.
 */
#ifndef FILEDEX_H
#define FILEDEX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An open library. 0 is never a valid handle. Handles are not reused within
 * a process, so a handle used after fdx_close() gets an error response rather
 * than reaching another library. */
typedef uint64_t fdx_handle;

/*
 * fdx_open opens (creating if needed) the library described by options_json:
 *   {"library": DIR, "read_only"?: bool, "fixed_clock"?: RFC3339, "uuid_seed"?: int}
 * options_json: borrowed; read during the call only. Must not be NULL.
 * error_json: may be NULL. If not NULL, *error_json is set to NULL on success;
 *   on failure it receives a JSON error object {"code":N,"message":"..."}
 *   (codes as in JSON-RPC responses) that the caller frees with fdx_free().
 * Returns the handle, or 0 on failure.
 */
fdx_handle fdx_open(const char *options_json, char **error_json);

/*
 * fdx_call runs one JSON-RPC request on h and returns its response.
 * request_json: borrowed; read during the call only.
 * Returns a newly allocated NUL-terminated JSON-RPC response, never NULL;
 *   the caller frees it with fdx_free(). A notification (a request without
 *   "id") returns "" (empty, still to be freed). An unknown or closed handle
 *   returns an error response (code -32600).
 */
char *fdx_call(fdx_handle h, const char *request_json);

/*
 * Notifications. A call may send JSON-RPC notifications (requests without an
 * "id") to its caller while it runs: location.scan, job.run and job.resume
 * with "progress": true in their params send "job.progress" about every
 * 100 ms and once when they end, params as in docs/rpc.md. A C caller receives
 * them through a function it registers for the handle:
 *
 *   fn: called on the thread inside fdx_call, before fdx_call returns, once
 *     per notification, in the order they are sent. notification_json is a
 *     NUL-terminated JSON-RPC notification, borrowed: valid only until fn
 *     returns (copy what you keep; never fdx_free it). fn must not call into
 *     the same handle (the call in progress holds it).
 *   user_data: passed back to fn as it is.
 *
 * fdx_set_notify(h, NULL, NULL) unregisters. Without a registered function
 * notifications are dropped; the calls behave the same either way.
 * Returns 0, or -1 if h is unknown or closed.
 */
typedef void (*fdx_notify_fn)(void *user_data, const char *notification_json);
int fdx_set_notify(fdx_handle h, fdx_notify_fn fn, void *user_data);

/*
 * fdx_free releases a string returned by fdx_open (*error_json) or fdx_call.
 * fdx_free(NULL) does nothing. Never pass fdx_version()'s result.
 */
void fdx_free(char *p);

/*
 * fdx_close closes h after calls in flight on it finish.
 * Returns 0 on success, -1 if h is unknown or already closed (or closing
 * failed). The handle is invalid afterwards either way.
 */
int fdx_close(fdx_handle h);

/*
 * fdx_version returns the filedex version, e.g. "0.1.0". The string is static:
 * valid for the life of the process; do not free or modify it.
 */
const char *fdx_version(void);

#ifdef __cplusplus
}
#endif

#endif /* FILEDEX_H */
