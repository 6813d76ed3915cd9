// Runs every conformance script in one Node process and one instance of the
// WASI reactor (examples/node/filedex.mjs's Reactor), one library handle per
// script, and prints the transcripts as a JSON array of strings.
//
//   node node_scripts.mjs WASM JOBS_JSON     # JOBS_JSON: [{"options","dirs","input"}]
//
// One process rather than one per script: each Node start compiles the 23 MB
// module again (seconds on a busy 2-core machine), and one instance may hold
// several libraries. Each library's "roots" option confines it to its own
// directories, as natively, so sandbox refusals are the same bytes.
import { readFileSync } from 'node:fs';
import { Reactor } from '../../examples/node/filedex.mjs';

const [wasm, jobsFile] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(jobsFile, 'utf8'));
const r = await Reactor.load(wasm, jobs.flatMap((j) => j.dirs));
const out = [];
for (const j of jobs) {
  let h;
  try {
    h = r.open(j.options);
  } catch (e) {
    if (!e.rpc) throw e;
    out.push(r.lastErrorText + '\n'); // the guest's own error text, like the other clients
    continue;
  }
  let t = '';
  for (const line of j.input.split('\n')) {
    if (line.trim() === '') continue;
    const resp = r.call(h, line);
    if (resp !== '') t += resp + '\n';
  }
  if (r.close(h) !== 0) throw new Error(`fdx_close failed after ${j.name}`);
  out.push(t);
}
process.stdout.write(JSON.stringify(out));
