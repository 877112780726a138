// Section sizes of a .wasm module (the binary format's section headers: id, LEB128 size), for the
// module-size rows of the bench report: how much is code, how much data (string literals,
// tables), how much the rest (types, imports, exports, names). dataByKind() splits the data
// section by the AssemblyScript objects its segments initialise.

export interface SectionSize {
  /** "code", "data", … or "custom:<name>". */
  name: string;
  bytes: number;
}

export interface ModuleSizes {
  total: number;
  sections: SectionSize[];
  /** Bytes of the code and data sections (with their headers' contents, not the 1-byte id and size). */
  code: number;
  data: number;
  functions: number;
  dataSegments: number;
}

const NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

function leb(bytes: Uint8Array, at: { pos: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at.pos++];
    if (b === undefined) throw new Error('wasm: truncated LEB128');
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
}

function sectionBody(bytes: Uint8Array, wanted: number): { start: number; end: number } | null {
  const at = { pos: 8 };
  while (at.pos < bytes.length) {
    const id = bytes[at.pos++]!;
    const size = leb(bytes, at);
    if (id === wanted) return { start: at.pos, end: at.pos + size };
    at.pos += size;
  }
  return null;
}

export function moduleSizes(bytes: Uint8Array): ModuleSizes {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a wasm module');
  const at = { pos: 8 };
  const sections: SectionSize[] = [];
  let code = 0, data = 0, functions = 0, dataSegments = 0;
  while (at.pos < bytes.length) {
    const id = bytes[at.pos++]!;
    const size = leb(bytes, at);
    const start = at.pos;
    let name = NAMES[id] ?? `unknown-${id}`;
    if (id === 0) {
      const len = leb(bytes, at);
      name = `custom:${Buffer.from(bytes.subarray(at.pos, at.pos + len)).toString('utf8')}`;
    } else if (id === 10) {
      code = size;
      functions = leb(bytes, at);
    } else if (id === 11) {
      data = size;
      dataSegments = leb(bytes, at);
    }
    sections.push({ name, bytes: size });
    at.pos = start + size;
  }
  return { total: bytes.length, sections, code, data, functions, dataSegments };
}

export interface DataKind {
  objects: number;
  /** Bytes of the data section spent on segments initialising these objects (segment headers included). */
  fileBytes: number;
  /** The objects' payload bytes in linear memory (strings: UTF-16). */
  payloadBytes: number;
}

export interface DataBreakdown {
  strings: DataKind & { /** Strings whose every code unit is ASCII: UTF-8 would halve their payload. */ ascii: number; asciiPayloadBytes: number };
  buffers: DataKind;
  other: DataKind;
  /** `other` by AssemblyScript class id (static arrays and tables), largest first. */
  otherByClassId: (DataKind & { classId: number })[];
  /** Raw static data outside any object (memory.data tables). */
  raw: { segments: number; fileBytes: number; payloadBytes: number };
  /** Passive segments (none for an AssemblyScript module). */
  unattributed: number;
}

// AssemblyScript's object header: BLOCK mmInfo (4 bytes, payload size | flags), then OBJECT
// gcInfo, gcInfo2, rtId, rtSize (4 each); the payload follows. Class ids: 1 ArrayBuffer, 2 String.
const HEADER = 20;
const RT_ARRAYBUFFER = 1;
const RT_STRING = 2;

/** The data section split by the kind of AssemblyScript static object each segment belongs to (a heuristic on the object headers). */
export function dataByKind(bytes: Uint8Array): DataBreakdown {
  const body = sectionBody(bytes, 11);
  const empty = (): DataKind => ({ objects: 0, fileBytes: 0, payloadBytes: 0 });
  const out: DataBreakdown = { strings: { ...empty(), ascii: 0, asciiPayloadBytes: 0 }, buffers: empty(), other: empty(), otherByClassId: [], raw: { segments: 0, fileBytes: 0, payloadBytes: 0 }, unattributed: 0 };
  const byClass = new Map<number, DataKind & { classId: number }>();
  if (!body) return out;
  // Active segments: (offset, bytes, file bytes); the static memory image they build.
  const segs: { offset: number; data: Uint8Array; fileBytes: number }[] = [];
  const at = { pos: body.start };
  const count = leb(bytes, at);
  for (let i = 0; i < count; i++) {
    const from = at.pos;
    const flags = leb(bytes, at);
    let offset = -1;
    if (flags === 0 || flags === 2) {
      if (flags === 2) leb(bytes, at);
      if (bytes[at.pos++] !== 0x41) throw new Error('wasm: data offset is not i32.const');
      offset = leb(bytes, at); // non-negative offsets below 2^31 read the same as signed LEB128
      if (bytes[at.pos++] !== 0x0b) throw new Error('wasm: data offset expression');
    }
    const size = leb(bytes, at);
    segs.push({ offset, data: bytes.subarray(at.pos, at.pos + size), fileBytes: at.pos + size - from });
    at.pos += size;
  }
  const active = segs.filter((s) => s.offset >= 0).sort((a, b) => a.offset - b.offset);
  if (active.length === 0) return out;
  const base = active[0]!.offset;
  const last = active[active.length - 1]!;
  const image = new Uint8Array(last.offset + last.data.length - base + HEADER);
  for (const s of active) image.set(s.data, s.offset - base);
  const dv = new DataView(image.buffer);
  // Segment by segment: one that starts a plausible object header (payload 16-byte aligned, sizes
  // consistent) opens an object, the following segments inside it belong to it; anything else is
  // raw static data (memory.data tables of the standard library, e.g. dtoa powers, case maps).
  let end = -1;
  let open: DataKind | null = null;
  let openClass: DataKind | null = null;
  for (const seg of active) {
    if (seg.offset < end && open !== null) {
      open.fileBytes += seg.fileBytes;
      if (openClass) openClass.fileBytes += seg.fileBytes;
      continue;
    }
    const p = seg.offset - base;
    const size = p + HEADER <= image.length ? dv.getUint32(p, true) & ~3 : 0;
    const rtId = size ? dv.getUint32(p + 12, true) : 0;
    const rtSize = size ? dv.getUint32(p + 16, true) : 0;
    if ((seg.offset + 4 + 16) % 16 !== 0 || size < 16 || rtSize > size - 16 || p + 4 + size > image.length + HEADER) {
      out.raw.segments++;
      out.raw.fileBytes += seg.fileBytes;
      out.raw.payloadBytes += seg.data.length;
      open = openClass = null;
      end = -1;
      continue;
    }
    const kind = rtId === RT_STRING ? 'strings' : rtId === RT_ARRAYBUFFER ? 'buffers' : 'other';
    open = out[kind];
    open.objects++;
    open.payloadBytes += rtSize;
    open.fileBytes += seg.fileBytes;
    openClass = null;
    if (kind === 'other') {
      const cls = byClass.get(rtId) ?? { classId: rtId, ...empty() };
      byClass.set(rtId, cls);
      cls.objects++;
      cls.payloadBytes += rtSize;
      cls.fileBytes += seg.fileBytes;
      openClass = cls;
    }
    if (kind === 'strings') {
      let ascii = true;
      for (let i = 0; i < rtSize; i += 2) if (dv.getUint16(p + HEADER + i, true) > 0x7f) { ascii = false; break; }
      if (ascii) {
        out.strings.ascii++;
        out.strings.asciiPayloadBytes += rtSize;
      }
    }
    end = seg.offset + 4 + size;
  }
  for (const s of segs) if (s.offset < 0) out.unattributed += s.fileBytes;
  out.otherByClassId = [...byClass.values()].sort((a, b) => b.fileBytes - a.fileBytes);
  for (const s of segs) if (s.offset < 0) out.unattributed += s.fileBytes;
  return out;
}
