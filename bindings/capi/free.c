// fdx_free is plain C: it is called after every fdx_call, and as a Go export
// each call would cross into the Go runtime and back out to free().
#include <stdlib.h>

void fdx_free(char *p) {
	free(p); // free(NULL) is a no-op, as documented
}

// fdx_invoke_notify calls a C caller's notification function: cgo cannot call a C
// function pointer directly from Go.
typedef void (*fdx_notify_fn)(void *user_data, const char *notification_json);

void fdx_invoke_notify(fdx_notify_fn fn, void *user_data, const char *notification_json) {
	fn(user_data, notification_json);
}
