// filedex from Node through the WASI reactor (node:wasi, Node >= 20).
//
//   node filedex.mjs rpc WASM OPTIONS_JSON DIR...   < requests.jsonl   # rpc loop
//   node filedex.mjs selftest WASM DIR
//   node filedex.mjs serve WASM DIR...                 < commands          # long-lived driver
//   node filedex.mjs command WASM DIR -- ARGS...   # run filedex.wasm (the CLI) as a WASI command
//
// Each DIR is preopened at its own absolute path, so the guest sees the same
// paths as the host and responses match the native engine byte for byte.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { WASI } from 'node:wasi';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Each dir is preopened at its own path, and nothing else: the guest works
// with plain preopens and takes them as its sandbox. The host's machine id
// goes in FILEDEX_MACHINE_ID, as wasmhost does: the core identifies its device
// by it, and without it a library indexed natively here shows the guest no
// locations (another device's).
function sandbox(dirs) {
  const abs = dirs.map((d) => resolve(d));
  const env = {};
  for (const p of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    let id;
    try { id = readFileSync(p, 'utf8').trim(); } catch { continue; }
    if (id === '') continue;
    env.FILEDEX_MACHINE_ID = id;
    break;
  }
  return { preopens: Object.fromEntries(abs.map((d) => [d, d])), env };
}

/** A libfiledex.wasm instance. Not reentrant: Wasm runs one call at a time. */
export class Reactor {
  /**
   * wasm: a path, or a compiled WebAssembly.Module.
   * Known issue: more than one instance of libfiledex.wasm in one Node 20.20
   * process crashed it (SIGSEGV/SIGTRAP, V8 heap corruption) in every run
   * tried here, shared Module or not; use one instance per process.
   */
  static async load(wasm, dirs) {
    const { preopens, env } = sandbox(dirs);
    const wasi = new WASI({ version: 'preview1', args: ['libfiledex'], env, preopens, returnOnExit: true });
    const module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(readFileSync(wasm));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    // A reactor: _initialize runs Go's runtime and package init, then returns.
    wasi.initialize(instance);
    return new Reactor(instance.exports);
  }

  constructor(exports) {
    this.x = exports;
    this.enc = new TextEncoder();
    this.dec = new TextDecoder('utf-8', { fatal: true });
  }

  // Copies bytes into a guest buffer the caller frees with fdx_free.
  put(bytes) {
    const ptr = this.x.fdx_alloc(bytes.length);
    if (ptr === 0) throw new Error('fdx_alloc failed');
    // Re-read memory.buffer each time: a grown memory detaches the old one.
    new Uint8Array(this.x.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  // Copies a packed ptr<<32|len result out and frees it in the guest.
  take(packed) {
    if (packed === 0n) return '';
    const ptr = Number(packed >> 32n), len = Number(packed & 0xffffffffn);
    const s = this.dec.decode(new Uint8Array(this.x.memory.buffer, ptr, len).slice());
    this.x.fdx_free(ptr);
    return s;
  }

  open(options) {
    const b = this.enc.encode(typeof options === 'string' ? options : JSON.stringify(options));
    const ptr = this.put(b);
    try {
      const h = this.x.fdx_open(ptr, b.length);
      if (h === 0n) {
        const err = new Error('fdx_open failed');
        this.lastErrorText = this.take(this.x.fdx_last_error());
        err.rpc = JSON.parse(this.lastErrorText);
        throw err;
      }
      return h;
    } finally {
      this.x.fdx_free(ptr); // the request buffer is ours to free
    }
  }

  /** Raw JSON-RPC: request text in, response text out ("" for a notification). */
  call(h, request) {
    const b = this.enc.encode(request);
    const ptr = this.put(b);
    try {
      return this.take(this.x.fdx_call(h, ptr, b.length));
    } finally {
      this.x.fdx_free(ptr);
    }
  }

  close(h) { return this.x.fdx_close(h); }
}

async function rpc(wasm, options, dirs) {
  const r = await Reactor.load(wasm, dirs);
  let h;
  try {
    h = r.open(options);
  } catch (e) {
    if (!e.rpc) throw e;
    // The guest's own error text as the only line, exit 3 (like the C client).
    process.stdout.write(r.lastErrorText + '\n');
    process.exitCode = 3;
    return;
  }
  const out = [];
  const lines = [];
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) lines.push(line);
  // FILEDEX_RPC_TIMING: the calls' own wall and CPU time on stderr, start-up
  // (compile, instantiate, open) excluded, for benchmarks.
  const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
  for (const line of lines) {
    if (line.trim() === '') continue;
    const resp = r.call(h, line);
    if (resp !== '') out.push(resp + '\n');
  }
  if (process.env.FILEDEX_RPC_TIMING) {
    const c = process.cpuUsage(c0);
    console.error(`rpc-timing wall_ms=${Number(process.hrtime.bigint() - t0) / 1e6} cpu_ms=${(c.user + c.system) / 1000}`);
  }
  process.stdout.write(out.join(''));
  if (r.close(h) !== 0) throw new Error('fdx_close failed');
}

// serve is the long-lived driver a host program (the benchmark harness) talks
// to over pipes: one instance, libraries opened and closed on demand, and
// every answer written as soon as it is ready (rpc mode answers at EOF). One
// command per line, one answer line per command:
//
//   open OPTIONS_JSON       → {"handle":"H"} or {"error":{code,message}}
//   call H REQUEST_JSON     → the JSON-RPC response ("" for a notification)
//   close H                 → {"rc":N}
//
// JSON-RPC responses never contain a newline (compact JSON), so lines frame.
async function serve(wasm, dirs) {
  const r = await Reactor.load(wasm, dirs);
  const out = (s) => process.stdout.write(s + '\n'); // synchronous on Linux pipes
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const sp = line.indexOf(' ');
    const cmd = sp < 0 ? line : line.slice(0, sp);
    const arg = sp < 0 ? '' : line.slice(sp + 1);
    try {
      if (cmd === 'call') {
        const sp2 = arg.indexOf(' ');
        out(r.call(BigInt(arg.slice(0, sp2)), arg.slice(sp2 + 1)));
      } else if (cmd === 'open') {
        out(JSON.stringify({ handle: r.open(arg).toString() }));
      } else if (cmd === 'close') {
        out(JSON.stringify({ rc: r.close(BigInt(arg)) }));
      } else {
        out(JSON.stringify({ error: { code: -32600, message: `serve: unknown command ${JSON.stringify(cmd)}` } }));
      }
    } catch (e) {
      out(JSON.stringify({ error: e.rpc ?? { code: -32000, message: `serve: ${e.message}` } }));
    }
  }
}

function check(ok, what, detail) {
  if (!ok) throw new Error(`selftest: ${what}: ${detail ?? ''}`);
}

async function selftest(wasm, dir) {
  const r = await Reactor.load(wasm, [dir]);
  try {
    r.open({ library: 1 });
    check(false, 'bad options accepted');
  } catch (e) {
    check(e.rpc && e.rpc.code === -32602 && /library/.test(e.rpc.message), 'bad options error', JSON.stringify(e.rpc));
  }
  try {
    r.open({ library: '/etc/filedex-test' });
    check(false, 'library outside the preopens accepted');
  } catch (e) {
    check(e.rpc && e.rpc.code === -32005, 'sandbox error', JSON.stringify(e.rpc));
  }
  const lib = resolve(dir, 'lib');
  const h = r.open({ library: lib });
  const info = JSON.parse(r.call(h, '{"jsonrpc":"2.0","id":1,"method":"library.info"}'));
  check(info.result && info.result.path === lib, 'library.info', JSON.stringify(info));
  const p = JSON.parse(r.call(h, '{"jsonrpc":"2.0","id":2,"method":"debug.panic","params":{"message":"node"}}'));
  check(p.error && p.error.code === -32000, 'panic becomes an internal error', JSON.stringify(p));
  const big = 'é'.repeat(200000); // grows guest memory: exercises re-reading memory.buffer
  const e = JSON.parse(r.call(h, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'debug.echo', params: { text: big } })));
  check(e.result && e.result.text === big, 'large echo', '');
  check(r.close(h) === 0, 'fdx_close', '');
  check(r.close(h) === -1, 'second fdx_close fails', '');
  console.log('ok: Node node:wasi reactor selftest passed');
}

async function command(wasm, dirs, args) {
  const { preopens, env } = sandbox(dirs);
  const wasi = new WASI({ version: 'preview1', args: ['filedex', ...args], env, preopens, returnOnExit: true });
  const { instance } = await WebAssembly.instantiate(readFileSync(wasm), wasi.getImportObject());
  // A command: start runs main and returns its exit code.
  process.exitCode = wasi.start(instance);
}

async function main() {
  const [mode, wasm, ...rest] = process.argv.slice(2);
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    console.error(`filedex.mjs: Node ${process.versions.node} is too old: node:wasi preview1 needs Node >= 20`);
    process.exit(1);
  }
  if (mode === 'rpc' && rest.length >= 1) {
    await rpc(wasm, rest[0], rest.slice(1));
  } else if (mode === 'serve' && rest.length >= 1) {
    await serve(wasm, rest);
  } else if (mode === 'selftest' && rest.length === 1) {
    await selftest(wasm, rest[0]);
  } else if (mode === 'command' && rest.includes('--')) {
    const i = rest.indexOf('--');
    await command(wasm, rest.slice(0, i), rest.slice(i + 1));
  } else {
    console.error('usage: node filedex.mjs rpc WASM OPTIONS_JSON DIR... | serve WASM DIR... | selftest WASM DIR | command WASM DIR... -- ARGS...');
    process.exit(2);
  }
}

// Run only as a program, not when imported as a module.
//
// Known cost: after the work is done, Node 20 can spend 10–20 s more before the
// process ends on a busy 2-core machine (V8 finishing background compilation of
// the 20 MB module; process.exit() does not cut it short, SIGKILL does).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
