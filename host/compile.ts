// Module compilation for SimulatedEnvoy: bytes → WebAssembly.Module plus the parsed import/export
// info the link checks need, with Envoy's load-failure messages; paths are cached by path + mtime
// so that many hosts start from one compilation.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inspectCompiledModule, inspectModule, ModuleParseError, type ModuleInfo } from './module-inspect.ts';
import type { CompiledFilter } from './types.ts';

const pathCache = new Map<string, { mtimeMs: number; size: number; compiled: Promise<CompiledFilter> }>();
const moduleInfo = new WeakMap<WebAssembly.Module, CompiledFilter>();

class Compiled implements CompiledFilter {
  constructor(
    readonly module: WebAssembly.Module,
    readonly info: ModuleInfo,
    readonly byteLength: number,
  ) {}
}

/** Thrown by compile() for bytes Envoy could not load; carries Envoy's message. */
export class LoadError extends Error {
  constructor(message: string, readonly detail?: string) {
    super(message);
    this.name = 'LoadError';
  }
}

async function compileBytes(bytes: Uint8Array): Promise<CompiledFilter> {
  let info;
  try {
    info = inspectModule(bytes);
  } catch (e) {
    if (e instanceof ModuleParseError) throw new LoadError('Failed to parse corrupted Wasm module', e.message);
    throw e;
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new LoadError('Failed to load Wasm bytecode', (e as Error).message);
  }
  const c = new Compiled(module, info, bytes.length);
  moduleInfo.set(module, c);
  return c;
}

/** Compile a module once (cached by path + mtime) to start many hosts from it cheaply. */
export async function compileFilter(wasm: string | Uint8Array | WebAssembly.Module | CompiledFilter): Promise<CompiledFilter> {
  if (wasm instanceof Compiled) return wasm;
  if (typeof wasm === 'string') {
    const path = resolve(wasm);
    const st = await stat(path);
    const hit = pathCache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.compiled;
    const compiled = readFile(path).then((b) => compileBytes(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    pathCache.set(path, { mtimeMs: st.mtimeMs, size: st.size, compiled });
    compiled.catch(() => pathCache.delete(path));
    return compiled;
  }
  if (wasm instanceof WebAssembly.Module) {
    // Without the bytes only import/export names can be checked (no signatures): prefer a path,
    // the bytes, or SimulatedEnvoy.compile() output.
    let known = moduleInfo.get(wasm);
    if (!known) {
      known = new Compiled(wasm, inspectCompiledModule(wasm), 0);
      moduleInfo.set(wasm, known);
    }
    return known;
  }
  if (wasm instanceof Uint8Array) return compileBytes(wasm);
  return wasm as CompiledFilter;
}
