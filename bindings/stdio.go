package bindings

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
)

// Serve runs the line-oriented JSON-RPC server of `filedex rpc`: each line of r
// is one request, each response is one line on w, in order. Blank lines are
// skipped; notifications get no line. A line longer than [MaxRequestBytes] is
// discarded up to its newline and answered with CodeInvalidRequest, so one
// oversized request neither exhausts memory nor desynchronises the stream.
//
// Notifications a call sends (job.progress, for params with "progress": true)
// are lines of their own, written and flushed as they come, before the call's
// response: a client reads lines until the one with its id.
//
// Serve returns nil at the end of r, ctx's error if ctx ends, or the first
// write error. It does not close e.
func Serve(ctx context.Context, e Engine, r io.Reader, w io.Writer) error {
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriter(w)
	// A failed write of a notification shows again at the response's flush.
	nctx := WithNotify(ctx, func(n []byte) {
		bw.Write(n)
		bw.WriteByte('\n')
		bw.Flush()
	})
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, tooLong, err := readLine(br)
		if len(line) > 0 || tooLong {
			var resp []byte
			if tooLong {
				resp = encodeResponse(nil, nil, Errorf(CodeInvalidRequest, "request too large (limit %d bytes)", MaxRequestBytes))
			} else if len(bytes.TrimSpace(line)) > 0 {
				resp = e.Call(nctx, line)
			}
			if resp != nil {
				bw.Write(resp)
				bw.WriteByte('\n')
				// Flush per response: the client waits for this answer
				// before it sends the next request.
				if err := bw.Flush(); err != nil {
					return err
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// readLine reads one line without its newline. If the line exceeds
// MaxRequestBytes it is consumed and dropped, and tooLong is set.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := br.ReadLine()
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > MaxRequestBytes {
				tooLong, line = true, nil
			}
		}
		if err != nil || !isPrefix {
			if err != nil && (len(line) > 0 || tooLong) && errors.Is(err, io.EOF) {
				err = nil // a last line without newline still counts; EOF comes next call
			}
			return line, tooLong, err
		}
	}
}
