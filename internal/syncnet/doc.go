// Package syncnet carries a library's sync messages between devices over NATS JetStream
// (native builds only: WASI has no sockets).
//
// A hub ([StartHub]) is an embedded nats-server with JetStream, its store in the library
// directory. Every device publishes its log (core's SyncExport) to its own stream,
// FDX_<device>, one subject per message key, so the per-directory listings compact to the
// newest (MaxMsgsPerSubject=1) and S2 compresses the store. A device reads every other
// device's stream itself, with an ordered consumer from the JetStream sequence its cursor
// remembers (core's SyncApply stores it in the transaction that applies the messages).
//
// # Security
//
//   - Nothing listens unless a hub is started; its default address is 127.0.0.1. Any other
//     address needs a token (every device must present it).
//   - A device logs in as its UUID with a secret of its own (kept in the library directory,
//     sync.secret); the hub remembers each device's secret on first login (trust on first
//     use) and refuses a login that claims a known device with another secret.
//   - Each device may publish only to its own subjects and create only its own stream; it
//     may read every stream of the library. A message on another device's subject never
//     reaches a stream.
//   - A hub serves one library: the server's one account is that library's.
//   - TLS when a certificate and key are given.
package syncnet
