// fdx_free is plain C: it is called after every fdx_call, and as a Go export
// each call would cross into the Go runtime and back out to free().
#include <stdlib.h>

void fdx_free(char *p) {
	free(p); // free(NULL) is a no-op, as documented
}
