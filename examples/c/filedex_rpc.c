/*
 * filedex_rpc: a C client of libfiledex.so, and the C ABI leg of the
 * conformance suite.
 *
 *   filedex_rpc OPTIONS_JSON            < requests.jsonl > responses.jsonl
 *   filedex_rpc --selftest OPTIONS_JSON   (exit 0 if every check passes)
 *   filedex_rpc --bench N OPTIONS_JSON    (prints ns per trivial call)
 *
 * The first form opens a library and answers one JSON-RPC request per input
 * line with one response line (notifications print nothing), exactly like
 * `filedex rpc`; if the library does not open, it prints the error object
 * as its one line and exits 3. The second checks the ABI's promises from C: version, error
 * reporting, unknown handles, and concurrent calls from several threads.
 *
 * Build: gcc -I bindings/capi filedex_rpc.c -L build -lfiledex -lpthread
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filedex.h"

static int failures;

static void check(int ok, const char *what, const char *detail) {
    if (!ok) {
        fprintf(stderr, "FAIL: %s: %s\n", what, detail ? detail : "");
        failures++;
    }
}

static int serve(const char *options) {
    char *err = NULL;
    fdx_handle h = fdx_open(options, &err);
    if (h == 0) {
        /* The error object goes to stdout as the transcript's only line, so
         * the conformance suite compares open failures across engines too. */
        printf("%s\n", err ? err : "{}");
        fdx_free(err);
        return 3;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) != -1) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n == 0) continue;
        char *resp = fdx_call(h, line); /* ours to free */
        if (resp[0] != '\0') {           /* "" = notification */
            fputs(resp, stdout);
            fputc('\n', stdout);
        }
        fdx_free(resp);
    }
    free(line);
    fflush(stdout);
    return fdx_close(h) == 0 ? 0 : 1;
}

/* notes collects the notifications fdx_set_notify delivers during a call. */
struct notes { int count, bad; int last_done; };

static void on_notify(void *user, const char *n) {
    struct notes *ns = user;
    ns->count++;
    if (strncmp(n, "{\"jsonrpc\":\"2.0\",\"method\":\"job.progress\",\"params\":{", 50) != 0) ns->bad++;
    ns->last_done = strstr(n, "\"phase\":\"done\"") != NULL;
}

/* scan_with_progress scans a small temporary tree with "progress": true and
 * checks the notifications arrive through the registered function, in order,
 * before fdx_call returns, and not at all once it is unregistered. */
static void scan_with_progress(fdx_handle h) {
    char dir[] = "/tmp/filedex-selftest-XXXXXX", path[256], req[512];
    if (mkdtemp(dir) == NULL) {
        check(0, "mkdtemp", dir);
        return;
    }
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/f%d.txt", dir, i);
        FILE *f = fopen(path, "w");
        if (f) { fputs("x", f); fclose(f); }
    }
    struct notes ns = {0, 0, 0};
    check(fdx_set_notify(h, on_notify, &ns) == 0, "fdx_set_notify", NULL);
    check(fdx_set_notify(987654, on_notify, &ns) == -1, "fdx_set_notify on an unknown handle fails", NULL);
    snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"location.scan\",\"params\":{\"path\":\"%s\",\"mode\":\"metadata\",\"progress\":true}}", dir);
    char *resp = fdx_call(h, req);
    check(strstr(resp, "\"done\":true") != NULL, "location.scan with progress", resp);
    fdx_free(resp);
    check(ns.count >= 1 && ns.bad == 0, "job.progress notifications reach the callback", NULL);
    check(ns.last_done, "the last notification is the finished scan", NULL);
    int seen = ns.count;
    check(fdx_set_notify(h, NULL, NULL) == 0, "fdx_set_notify(NULL) unregisters", NULL);
    resp = fdx_call(h, req);
    fdx_free(resp);
    check(ns.count == seen, "no notifications after unregistering", NULL);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/f%d.txt", dir, i);
        remove(path);
    }
    remove(dir);
}

struct worker { fdx_handle h; int id; int bad; };

static void *work(void *arg) {
    struct worker *w = arg;
    char req[160], want[160];
    for (int i = 0; i < 200; i++) {
        snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"debug.echo\",\"params\":{\"count\":%d}}", i, w->id * 1000 + i + 1);
        snprintf(want, sizeof want, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"result\":{\"value\":null,\"count\":%d}}", i, w->id * 1000 + i + 1);
        char *resp = fdx_call(w->h, req);
        if (strcmp(resp, want) != 0) w->bad++;
        fdx_free(resp);
    }
    return NULL;
}

static int selftest(const char *options) {
    const char *v = fdx_version();
    check(v != NULL && v[0] != '\0', "fdx_version", v);

    char *err = NULL;
    fdx_handle bad = fdx_open("{\"library\":1}", &err);
    check(bad == 0, "fdx_open with bad options returns 0", NULL);
    check(err != NULL && strstr(err, "\"code\":-32602") && strstr(err, "library"), "error_json names the field", err);
    fdx_free(err);
    check(fdx_open("{", NULL) == 0, "fdx_open tolerates a NULL error_json", NULL);

    err = (char *)1; /* must be reset to NULL on success */
    fdx_handle h = fdx_open(options, &err);
    check(h != 0 && err == NULL, "fdx_open", err == (char *)1 ? "error_json not reset" : err);
    if (h == 0) return 1;

    char *resp = fdx_call(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"library.info\"}");
    check(strncmp(resp, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{", 33) == 0 && strstr(resp, "\"schema_version\":") != NULL,
          "library.info", resp);
    fdx_free(resp);

    resp = fdx_call(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"debug.panic\",\"params\":{\"message\":\"from C\"}}");
    check(strstr(resp, "\"code\":-32000") != NULL, "a panic becomes an internal error", resp);
    fdx_free(resp);

    resp = fdx_call(h, "{\"jsonrpc\":\"2.0\",\"method\":\"debug.echo\"}");
    check(resp[0] == '\0', "a notification returns an empty string", resp);
    fdx_free(resp);

    scan_with_progress(h);

    struct worker ws[4];
    pthread_t ts[4];
    for (int i = 0; i < 4; i++) {
        ws[i] = (struct worker){h, i, 0};
        pthread_create(&ts[i], NULL, work, &ws[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(ts[i], NULL);
        check(ws[i].bad == 0, "concurrent calls from threads", NULL);
    }

    check(fdx_close(h) == 0, "fdx_close", NULL);
    check(fdx_close(h) == -1, "second fdx_close fails", NULL);
    resp = fdx_call(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"library.info\"}");
    check(strcmp(resp, "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32600,\"message\":\"invalid request: unknown or closed handle 1\"}}") == 0,
          "a closed handle gets an error response", resp);
    fdx_free(resp);
    fdx_free(NULL);

    if (failures == 0) printf("ok: filedex %s C ABI selftest passed\n", v);
    return failures ? 1 : 0;
}

/* bench times n round trips of a trivial call (fdx_call + fdx_free) and
 * prints the mean in nanoseconds: the C ABI leg of the Go benchmark. */
static int bench(const char *options, long n) {
    char *err = NULL;
    fdx_handle h = fdx_open(options, &err);
    if (h == 0) {
        fprintf(stderr, "filedex_rpc: open: %s\n", err);
        fdx_free(err);
        return 1;
    }
    /* debug.echo does no library work: this times the ABI and the dispatch. */
    const char *req = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"debug.echo\",\"params\":{\"count\":1}}";
    fdx_free(fdx_call(h, req)); /* warm-up: first call pays lazy initialisation */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) fdx_free(fdx_call(h, req));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    printf("%.0f\n", ns / (double)n);
    return fdx_close(h) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--selftest") == 0) return selftest(argv[2]);
    if (argc == 4 && strcmp(argv[1], "--bench") == 0) return bench(argv[3], atol(argv[2]));
    if (argc == 2) return serve(argv[1]);
    fprintf(stderr, "usage: filedex_rpc [--selftest | --bench N] OPTIONS_JSON < requests.jsonl\n");
    return 2;
}
