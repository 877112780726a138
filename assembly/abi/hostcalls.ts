// Thin, non-aborting wrappers around the proxy-wasm host calls the filter uses.
//
// Why not the SDK helpers: proxy-runtime 0.1.8 aborts the VM (trap) on any non-Ok host result in
// several helpers, builds strings on the way, and goes through shared mutable "reference" objects.
// Here every call reports absence as `null`/false, takes pre-encoded byte keys (encoded once at
// configure time, so the per-request path builds no strings), and never throws. The `…Into`
// variants copy the value into a reusable HostBuffer instead of a new ArrayBuffer (host-memory.ts).
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { HostBuffer, redirectNextAllocation, endRedirect } from "./host-memory";

export const enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
}

export const enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

export const enum HeaderMapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
}

// proxy-wasm ABI 0.2 buffer types (proxy_get_buffer_bytes).
export const enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
}

export const enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

// Out-pointers for "return bytes" calls live in static memory: no allocation per call.
const OUT_PTR: usize = memory.data(8);
const OUT_SIZE: usize = OUT_PTR + 4;
const OUT_U64: usize = memory.data(8);

// Shared empty value: the host returns ptr 0 / size 0 for "" and we must not allocate for it.
const EMPTY = new ArrayBuffer(0);

// Takes ownership of the buffer the host allocated through `malloc` (which pinned it).
@inline
function takeHostBuffer(): ArrayBuffer | null {
  const ptr = load<u32>(OUT_PTR);
  if (ptr == 0) return EMPTY;
  __unpin(ptr);
  return changetype<ArrayBuffer>(ptr);
}

@inline
function resetOut(): void {
  store<u32>(OUT_PTR, 0);
  store<u32>(OUT_SIZE, 0);
}

/** Encodes a dotted attribute name ("request.url_path") as an Envoy property path ("request\0url_path"). */
export function propertyPath(dotted: string): ArrayBuffer {
  const bytes = String.UTF8.encode(dotted);
  const view = Uint8Array.wrap(bytes);
  for (let i = 0; i < view.length; i++) {
    if (view[i] == 0x2e /* . */) view[i] = 0;
  }
  return bytes;
}

/** Encodes a path made of explicit segments, e.g. ["request", "headers", "x-user"]. */
export function propertyPathOf(segments: string[]): ArrayBuffer {
  return String.UTF8.encode(segments.join("\0"));
}

/** Reads a property; null when the host has none (NotFound or any other failure). */
export function getProperty(path: ArrayBuffer): ArrayBuffer | null {
  resetOut();
  const r = imports.proxy_get_property(changetype<usize>(path), path.byteLength, OUT_PTR, OUT_SIZE);
  if (r != WasmResult.Ok) return null;
  return takeHostBuffer();
}

/** Reads a property into `into` (no garbage); false when the host has none. */
export function getPropertyInto(path: ArrayBuffer, into: HostBuffer): bool {
  resetOut();
  redirectNextAllocation(into);
  const r = imports.proxy_get_property(changetype<usize>(path), path.byteLength, OUT_PTR, OUT_SIZE);
  endRedirect();
  return acceptOut(r, into);
}

// 8-byte attribute values (sizes, durations, codes) read on every stream land here.
const SCALAR = new HostBuffer(16);

/** Reads an Envoy int64 property (8 bytes little-endian) without allocating; `fallback` when absent or not 8 bytes. */
export function getPropertyI64(path: ArrayBuffer, fallback: i64): i64 {
  if (!getPropertyInto(path, SCALAR) || SCALAR.length != 8) return fallback;
  return load<i64>(SCALAR.ptr);
}

/** Writes a filter-state value: Envoy stores it under "wasm.<name>". Returns the WasmResult. */
export function setProperty(name: ArrayBuffer, value: ArrayBuffer): u32 {
  return imports.proxy_set_property(changetype<usize>(name), name.byteLength, changetype<usize>(value), value.byteLength);
}

/** set_property with raw byte ranges (values kept in a NameTable). */
export function setPropertyBytes(name: ArrayBuffer, valuePtr: usize, valueLen: i32): u32 {
  return imports.proxy_set_property(changetype<usize>(name), name.byteLength, valuePtr, valueLen);
}

/** Reads one header (the first one if repeated); null when missing or the map is not readable now. */
export function getHeader(map: HeaderMapType, key: ArrayBuffer): ArrayBuffer | null {
  resetOut();
  const r = imports.proxy_get_header_map_value(map, changetype<usize>(key), key.byteLength, OUT_PTR, OUT_SIZE);
  if (r != WasmResult.Ok) return null;
  return takeHostBuffer();
}

/** Reads one header into `into` (no garbage); false when missing or not readable now. */
export function getHeaderInto(map: HeaderMapType, key: ArrayBuffer, into: HostBuffer): bool {
  resetOut();
  redirectNextAllocation(into);
  const r = imports.proxy_get_header_map_value(map, changetype<usize>(key), key.byteLength, OUT_PTR, OUT_SIZE);
  endRedirect();
  return acceptOut(r, into);
}

@inline
function acceptOut(result: u32, into: HostBuffer): bool {
  if (result != WasmResult.Ok) {
    into.length = 0;
    return false;
  }
  into.accept(load<u32>(OUT_PTR), <i32>load<u32>(OUT_SIZE));
  return true;
}

/** Reads a whole header map in the ABI's pairs serialization; null when not readable. */
export function getHeaderPairs(map: HeaderMapType): ArrayBuffer | null {
  resetOut();
  const r = imports.proxy_get_header_map_pairs(map, OUT_PTR, OUT_SIZE);
  if (r != WasmResult.Ok) return null;
  return takeHostBuffer();
}

/** Reads a buffer (e.g. the plugin configuration); null on failure. */
export function getBufferBytes(bufferType: BufferType, start: u32, length: u32): ArrayBuffer | null {
  resetOut();
  const r = imports.proxy_get_buffer_bytes(bufferType, start, length, OUT_PTR, OUT_SIZE);
  if (r != WasmResult.Ok) return null;
  return takeHostBuffer();
}

export function log(level: LogLevel, message: string): void {
  const bytes = String.UTF8.encode(message);
  imports.proxy_log(level, changetype<usize>(bytes), bytes.byteLength);
}

/** defineMetric's result when the host refused the definition (Envoy never hands out id 0). */
export const NO_METRIC: u32 = 0;

/** Defines a metric; returns its id, or NO_METRIC when the host refused. Every call returns a new id: define once. */
export function defineMetric(type: MetricType, name: string): u32 {
  const bytes = String.UTF8.encode(name);
  store<u32>(OUT_U64, 0);
  const r = imports.proxy_define_metric(type, changetype<usize>(bytes), bytes.byteLength, OUT_U64);
  if (r != WasmResult.Ok) return NO_METRIC;
  return load<u32>(OUT_U64);
}

/** Counter increment (delta must be > 0 in Envoy). */
export function incrementMetric(id: u32, delta: i64): u32 {
  return imports.proxy_increment_metric(id, delta);
}

/** Histogram sample / gauge set / counter add. */
export function recordMetric(id: u32, value: u64): u32 {
  return imports.proxy_record_metric(id, value);
}

/** Host wall clock in ns since the epoch; 0 if unavailable. */
export function nowNanos(): u64 {
  store<u64>(OUT_U64, 0);
  if (imports.proxy_get_current_time_nanoseconds(OUT_U64) != WasmResult.Ok) return 0;
  return load<u64>(OUT_U64);
}

/** Decodes Envoy's int64 encoding (8 bytes little-endian); `fallback` when the buffer is not 8 bytes. */
export function readI64(buf: ArrayBuffer | null, fallback: i64): i64 {
  if (buf === null || buf.byteLength != 8) return fallback;
  return load<i64>(changetype<usize>(buf));
}
