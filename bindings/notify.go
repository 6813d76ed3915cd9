package bindings

import (
	"context"

	"github.com/filedex/filedex/core"
)

// Notifications are JSON-RPC requests without an id that a call sends to its client
// before its response: today job.progress, from location.scan, job.run and job.resume
// called with "progress": true. Each transport delivers them in order, before the
// response they precede: `filedex rpc` writes them as lines of their own, the C ABI calls
// the function registered with fdx_set_notify, Go callers pass a function with
// [WithNotify]. A transport with nowhere to deliver them drops them; the scan is the same.

type notifyKey struct{}

// WithNotify returns a context whose calls deliver their notifications to fn, each one a
// complete JSON-RPC notification without a trailing newline. fn runs on the calling
// goroutine, while the call is in progress; the slice is only valid during the call.
func WithNotify(ctx context.Context, fn func(notification []byte)) context.Context {
	return context.WithValue(ctx, notifyKey{}, fn)
}

func notifier(ctx context.Context) func([]byte) {
	fn, _ := ctx.Value(notifyKey{}).(func([]byte))
	return fn
}

// JobProgress is the method name of scan progress notifications; their params are a
// core.ScanProgress.
const JobProgress = "job.progress"

// scanProgress returns the ScanOptions.Progress that sends job.progress notifications
// on ctx's notifier, or nil when the call did not ask for them or cannot receive them.
func scanProgress(ctx context.Context, want bool) func(core.ScanProgress) {
	fn := notifier(ctx)
	if !want || fn == nil {
		return nil
	}
	var buf []byte
	return func(p core.ScanProgress) {
		b, err := appendMarshal(append(buf[:0], `{"jsonrpc":"2.0","method":"`+JobProgress+`","params":`...), p)
		if err != nil {
			return // a ScanProgress always encodes; nothing to tell the client otherwise
		}
		buf = append(b, '}')
		fn(buf)
	}
}
