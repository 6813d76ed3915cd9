// Package bindings is the JSON-RPC 2.0 face of filedex: one method table,
// declared once, that every transport serves — the Go engines, `filedex rpc`
// on stdio ([Serve]), the C ABI (bindings/capi → libfiledex.so) and the WASI
// reactor (bindings/wasi → libfiledex.wasm, hosted by package wasmhost or any
// WASI runtime). The transports are thin shells: no business logic lives
// outside the handlers here and the core they call.
//
// # Engines
//
// An [Engine] takes one request and returns one response, as bytes. [Native]
// runs the table in-process ([OpenNative]); wasmhost.Engine runs the same
// table inside the WASI build. For the same requests, with
// [OpenOptions.FixedClock] and [OpenOptions.UUIDSeed] set, every engine
// returns byte-identical responses: the conformance suite
// (testdata/conformance) proves it on every `make test`.
//
// # Adding a method
//
// One line in an init function plus a handler (see [register] in table.go):
//
//	func init() { register("tag.list", tagList) }
//
//	func tagList(ctx context.Context, s *Session, p TagListParams) (TagList, error)
//
// Params are decoded strictly: member names exactly as the json tags say,
// unknown members, duplicates and wrong types are -32602 errors naming the
// member; a Validate method on *P runs after decoding. Return core errors as
// they are: they map to the application codes by their class. Paths from a
// request go through [Session.Path], which enforces the sandbox. Then add a
// script to testdata/conformance and regenerate its golden file.
//
// # Errors
//
// The wire codes are constants ([CodeParseError] … [CodeIncompatible]),
// documented with the rest of the protocol in docs/rpc.md.
//
// # Caveats
//
//   - Batch requests (JSON arrays) are refused with -32600: every transport is
//     one call in, one response out.
//   - Notifications (no "id") are executed and get no response: nil from
//     Engine.Call, no line from Serve, "" from fdx_call.
//   - Requests above [MaxRequestBytes] are refused unparsed.
package bindings
