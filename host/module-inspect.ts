// Minimal WebAssembly binary reader: the type, import, function, export and start sections.
//
// Why parse ourselves: `WebAssembly.Module.imports()` reports names and kinds but not function
// types, and a JS host accepts any JS function for any import. Envoy (proxy-wasm-cpp-host
// `src/v8/v8.cc link()`) rejects a module whose imports do not match the host's signatures, and
// finds the ABI version by scanning the export section (`src/bytecode_util.cc getAbiVersion`).
// To reproduce both we need the typed import/export lists.

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';
export type ExternKind = 'function' | 'table' | 'memory' | 'global' | 'tag';
export type AbiVersion = '0.1.0' | '0.2.0' | '0.2.1';

export interface Limits {
  min: number;
  max?: number;
  shared?: boolean;
}

export interface ImportInfo {
  module: string;
  name: string;
  kind: ExternKind;
  /** Function parameter types ([] for non-function imports). */
  params: ValType[];
  /** Function result types ([] for non-function imports). */
  results: ValType[];
  /** Limits of an imported memory or table. */
  limits?: Limits;
}

export interface ExportInfo {
  name: string;
  kind: ExternKind;
  /** Function parameter types ([] for non-function exports). */
  params: ValType[];
  /** Function result types ([] for non-function exports). */
  results: ValType[];
}

export interface ModuleInfo {
  /** Proxy-Wasm ABI from the first `proxy_abi_version_*` function export, as Envoy finds it. */
  abi: AbiVersion | undefined;
  imports: ImportInfo[];
  exports: ExportInfo[];
  /** True if the module has a start section (AssemblyScript puts its top-level code there). */
  hasStart: boolean;
  /**
   * False when built from a bare WebAssembly.Module (no bytes): names and kinds only, params/results
   * empty, so signature checks are skipped.
   */
  typesKnown: boolean;
}

/** Thrown for bytes that are not a well-formed module (Envoy: "Failed to parse corrupted Wasm module"). */
export class ModuleParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleParseError';
  }
}

const ABI_MARKERS: Record<string, AbiVersion> = {
  proxy_abi_version_0_1_0: '0.1.0',
  proxy_abi_version_0_2_0: '0.2.0',
  proxy_abi_version_0_2_1: '0.2.1',
};

const KINDS: ExternKind[] = ['function', 'table', 'memory', 'global', 'tag'];
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array, readonly end: number) {}

  byte(): number {
    if (this.pos >= this.end) throw new ModuleParseError('unexpected end of section');
    return this.b[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new ModuleParseError('LEB128 u32 too long');
    }
    return result;
  }

  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new ModuleParseError('name past end of section');
    const s = utf8.decode(this.b.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }

  valType(): ValType {
    const t = this.byte();
    switch (t) {
      case 0x7f: return 'i32';
      case 0x7e: return 'i64';
      case 0x7d: return 'f32';
      case 0x7c: return 'f64';
      case 0x7b: return 'v128';
      case 0x70: return 'funcref';
      case 0x6f: return 'externref';
      default: throw new ModuleParseError(`unsupported value type 0x${t.toString(16)}`);
    }
  }

  limits(): Limits {
    const flags = this.byte();
    const min = this.u32();
    const limits: Limits = { min };
    if (flags & 0x01) limits.max = this.u32();
    if (flags & 0x02) limits.shared = true;
    if (flags & ~0x03) throw new ModuleParseError(`unsupported limits flags 0x${flags.toString(16)}`);
    return limits;
  }
}

interface FuncType {
  params: ValType[];
  results: ValType[];
}

const EMPTY: ValType[] = [];

/** Parse the parts of a module binary a proxy-wasm host needs. Throws ModuleParseError. */
export function inspectModule(bytes: Uint8Array): ModuleInfo {
  if (
    bytes.length < 8 ||
    bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d ||
    bytes[4] !== 0x01 || bytes[5] !== 0x00 || bytes[6] !== 0x00 || bytes[7] !== 0x00
  ) {
    throw new ModuleParseError('bad magic number or version');
  }
  const types: FuncType[] = [];
  const funcTypeIndex: number[] = []; // imported functions first, then defined ones
  const imports: ImportInfo[] = [];
  const exports: ExportInfo[] = [];
  let abi: AbiVersion | undefined;
  let sawExportSection = false;
  let hasStart = false;

  let pos = 8;
  while (pos < bytes.length) {
    const header = new Reader(bytes, bytes.length);
    header.pos = pos;
    const id = header.byte();
    const size = header.u32();
    const start = header.pos;
    const end = start + size;
    if (end > bytes.length) throw new ModuleParseError(`section ${id} past end of module`);
    const r = new Reader(bytes, end);
    r.pos = start;
    switch (id) {
      case 1: { // type
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const form = r.byte();
          if (form !== 0x60) throw new ModuleParseError(`unsupported type form 0x${form.toString(16)}`);
          const np = r.u32();
          const params: ValType[] = [];
          for (let j = 0; j < np; j++) params.push(r.valType());
          const nr = r.u32();
          const results: ValType[] = [];
          for (let j = 0; j < nr; j++) results.push(r.valType());
          types.push({ params, results });
        }
        break;
      }
      case 2: { // import
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const module = r.name();
          const name = r.name();
          const kindByte = r.byte();
          const kind = KINDS[kindByte];
          if (!kind) throw new ModuleParseError(`unknown import kind ${kindByte}`);
          const info: ImportInfo = { module, name, kind, params: EMPTY, results: EMPTY };
          if (kind === 'function') {
            const ti = r.u32();
            const t = types[ti];
            if (!t) throw new ModuleParseError(`import ${module}.${name}: bad type index ${ti}`);
            info.params = t.params;
            info.results = t.results;
            funcTypeIndex.push(ti);
          } else if (kind === 'table') {
            r.valType();
            info.limits = r.limits();
          } else if (kind === 'memory') {
            info.limits = r.limits();
          } else if (kind === 'global') {
            r.valType();
            r.byte(); // mutability
          } else {
            r.byte(); // tag attribute
            r.u32(); // tag type
          }
          imports.push(info);
        }
        break;
      }
      case 3: { // function
        const n = r.u32();
        for (let i = 0; i < n; i++) funcTypeIndex.push(r.u32());
        break;
      }
      case 7: { // export
        const n = r.u32();
        const first = !sawExportSection;
        sawExportSection = true;
        for (let i = 0; i < n; i++) {
          const name = r.name();
          const kindByte = r.byte();
          const kind = KINDS[kindByte];
          if (!kind) throw new ModuleParseError(`unknown export kind ${kindByte}`);
          const index = r.u32();
          const info: ExportInfo = { name, kind, params: EMPTY, results: EMPTY };
          if (kind === 'function') {
            const t = types[funcTypeIndex[index] ?? -1];
            if (!t) throw new ModuleParseError(`export ${name}: bad function index ${index}`);
            info.params = t.params;
            info.results = t.results;
            // Envoy scans the (first) export section and takes the first marker it meets.
            if (first && abi === undefined) abi = ABI_MARKERS[name];
          }
          exports.push(info);
        }
        break;
      }
      case 8: // start
        hasStart = true;
        break;
      default:
        break;
    }
    pos = end;
  }
  return { abi, imports, exports, hasStart, typesKnown: true };
}

/**
 * Best effort for a compiled module without its bytes: WebAssembly.Module.imports()/exports() give
 * names and kinds but no function types (V8 lists exports in export-section order, so the first
 * ABI marker still wins).
 */
export function inspectCompiledModule(module: WebAssembly.Module): ModuleInfo {
  const kind = (k: string): ExternKind => (k === 'function' || k === 'table' || k === 'memory' || k === 'global' ? k : 'tag');
  const imports: ImportInfo[] = WebAssembly.Module.imports(module).map((d) => ({
    module: d.module, name: d.name, kind: kind(d.kind), params: EMPTY, results: EMPTY,
  }));
  const exports: ExportInfo[] = WebAssembly.Module.exports(module).map((d) => ({
    name: d.name, kind: kind(d.kind), params: EMPTY, results: EMPTY,
  }));
  let abi: AbiVersion | undefined;
  for (const e of exports) {
    if (e.kind === 'function' && ABI_MARKERS[e.name]) {
      abi = ABI_MARKERS[e.name];
      break;
    }
  }
  return { abi, imports, exports, hasStart: false, typesKnown: false };
}
