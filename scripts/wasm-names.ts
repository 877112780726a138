// The release module ships without its name section, and the names are kept beside it.
//
// Why: the release build traps with a bare `unreachable` where the debug build would log the
// reason (asconfig.json: the release target sets `use abort=`, which saves about 4.6 KB of
// abort call sites, file names and the message formatter; issue 14, module size). A trap then
// shows in Envoy's log as "Uncaught RuntimeError: unreachable" with the in-VM backtrace, whose
// frames name functions by index when the module has no names. The release target is compiled
// with `debug: true`, which keeps the names without changing the code (the optimiser output is the
// same, byte for byte, minus the name section), and this file moves them out: the module loses
// its name section, and `<outFile>.names` lists "index name" per function, so a backtrace from
// production maps back to source functions.
import { readFileSync, writeFileSync } from 'node:fs';

interface Reader { bytes: Uint8Array; at: number }

function leb(r: Reader): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = r.bytes[r.at++];
    if (b === undefined) throw new Error('truncated LEB128');
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
}

function text(r: Reader, length: number): string {
  const s = Buffer.from(r.bytes.subarray(r.at, r.at + length)).toString('utf8');
  r.at += length;
  return s;
}

export interface SplitNames {
  /** The module without its "name" custom section. */
  module: Uint8Array;
  /** Function index → name, from the name section's function-names subsection. */
  functions: Map<number, string>;
}

/** Splits a module into its bytes without the name section and the function names that section held. */
export function splitNames(bytes: Uint8Array): SplitNames {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error('not a wasm module');
  }
  const r: Reader = { bytes, at: 8 };
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  const functions = new Map<number, string>();
  while (r.at < bytes.length) {
    const start = r.at;
    const id = bytes[r.at++]!;
    const size = leb(r);
    const end = r.at + size;
    if (end > bytes.length) throw new Error(`section ${id} at ${start} runs past the end`);
    if (id === 0 && text(r, leb(r)) === 'name') {
      while (r.at < end) {
        const sub = bytes[r.at++]!;
        const subSize = leb(r);
        const subEnd = r.at + subSize;
        if (sub === 1) {
          const count = leb(r);
          for (let i = 0; i < count; i++) {
            const index = leb(r);
            functions.set(index, text(r, leb(r)));
          }
        }
        r.at = subEnd;
      }
    } else {
      kept.push(bytes.subarray(start, end));
    }
    r.at = end;
  }
  // A fresh array, not Buffer.concat's: small Buffers are views into a shared pool, which readers
  // that take `.buffer` (wabt does) would read from its start.
  const module = new Uint8Array(kept.reduce((n, k) => n + k.length, 0));
  let at = 0;
  for (const k of kept) {
    module.set(k, at);
    at += k.length;
  }
  return { module, functions };
}

/** The `.names` file: one "index name" line per function, by index. */
export function namesFile(functions: Map<number, string>): string {
  return [...functions].sort((a, b) => a[0] - b[0]).map(([i, n]) => `${i} ${n}\n`).join('');
}

/** Strips `wasmPath`'s name section in place and writes the names to `namesPath`. */
export function moveNamesApart(wasmPath: string, namesPath: string): number {
  const { module, functions } = splitNames(readFileSync(wasmPath));
  if (functions.size === 0) throw new Error(`${wasmPath} has no function names (is the target built with "debug": true?)`);
  writeFileSync(wasmPath, module);
  writeFileSync(namesPath, namesFile(functions));
  return functions.size;
}
