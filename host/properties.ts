// proxy_get_property as Envoy answers it (envoy source/extensions/common/wasm/context.cc
// getProperty/findValue, source/extensions/filters/common/expr/context.cc, context.h).
//
// Path: segments joined by "\0"; a trailing "\0" is tolerated; "request.url_path" is ONE top-level
// name (it falls through to filter state "wasm.request.url_path" and is normally NotFound).
// Top-level lookup order: CEL activation (request, response, connection, upstream, source,
// destination, metadata, filter_state, upstream_filter_state, xds) → plugin_name, plugin_root_id,
// plugin_vm_id, connection_id → filter state "wasm.<name>" → NotFound.
// Without a stream (root context) only xds and plugin_* resolve.
//
// Header-derived request.* read the live request header map (available in on_request_headers or
// while paused, NotFound once on_request_headers returned Continue, available again in on_log via
// the access-log copy); response.code is StreamInfo's (set when the response headers arrive);
// request.duration exists only once the request is complete (on_log on).
import { encodePairs, type HeaderMap } from './header-maps.ts';
import { WasmResult } from './abi.ts';
import { EMPTY_BYTES } from './bytes.ts';
import type { PropertyValue } from './types.ts';
import { grpcStatusHeader, httpToGrpcStatus } from './grpc-status.ts';

/** Value kinds as envoy serializeValue encodes them. */
export const PK = {
  Str: 0, // raw UTF-8 bytes
  Bytes: 1, // raw bytes
  I64: 2, // 8 bytes LE (int64, uint64, timestamp ns, duration ns)
  Bool: 3, // 1 byte
} as const;
export type PK = (typeof PK)[keyof typeof PK];

/** Reusable out-parameter (one per VM) so a lookup allocates nothing beyond the value itself. */
export class PropOut {
  kind: PK = PK.Str as PK;
  str = '';
  bytes: Uint8Array = EMPTY_BYTES;
  num: number | bigint = 0;
  bool = false;

  setStr(s: string): number {
    this.kind = PK.Str;
    this.str = s;
    return WasmResult.Ok;
  }
  setBytes(b: Uint8Array): number {
    this.kind = PK.Bytes;
    this.bytes = b;
    return WasmResult.Ok;
  }
  setI64(n: number | bigint): number {
    this.kind = PK.I64;
    this.num = n;
    return WasmResult.Ok;
  }
  setBool(b: boolean): number {
    this.kind = PK.Bool;
    this.bool = b;
    return WasmResult.Ok;
  }
  setValue(v: PropertyValue): number {
    if (typeof v === 'string') return this.setStr(v);
    if (typeof v === 'boolean') return this.setBool(v);
    if (typeof v === 'number' || typeof v === 'bigint') return this.setI64(v);
    return this.setBytes(v);
  }
}

/** What a stream exposes to property lookups (implemented by HttpStream). */
export interface StreamView {
  /** request_headers_ ?: access_log_request_headers_ (null when neither is available). */
  activationRequestHeaders(): HeaderMap | null;
  activationResponseHeaders(): HeaderMap | null;
  activationResponseTrailers(): HeaderMap | null;
  readonly startTimeNs: bigint;
  readonly completeTimeNs: bigint | undefined;
  readonly protocol: string;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly responseCode: number | undefined;
  readonly responseCodeDetails: string | undefined;
  readonly responseFlags: number;
  readonly upstreamAttempts: number;
  readonly stateMap: Map<string, Uint8Array>;
  readonly connectionId: number;
  /** Per-request overrides ("\0"-joined path → value), or null. */
  readonly overrides: Map<string, PropertyValue> | null;
}

/** Host-wide inputs to property lookups. */
export interface PropertyEnv {
  pluginName: string;
  rootId: string;
  vmId: string;
  /** "\0"-joined path → value. */
  overrides: Map<string, PropertyValue>;
  /** "\0"-joined paths answering NotFound (with everything below them). */
  missing: Set<string>;
}

/** Convert dotted option keys ('source.address') to "\0"-joined paths. */
export function toPathKey(dotted: string): string {
  return dotted.split('.').join('\0');
}

const STREAM_TOP = new Set(['request', 'response', 'connection', 'upstream', 'source', 'destination', 'metadata', 'filter_state', 'upstream_filter_state']);

// Default connection/node attributes (a sidecar inbound listener). Override with StartOptions.properties.
const DEFAULTS = new Map<string, PropertyValue>([
  ['source\0address', '10.0.0.1:34567'],
  ['source\0port', 34567],
  ['destination\0address', '10.0.0.2:8080'],
  ['destination\0port', 8080],
  ['connection\0mtls', false],
  ['connection\0requested_server_name', ''],
  ['xds\0node\0id', 'sidecar~10.0.0.2~app-0.default~default.svc.cluster.local'],
  ['xds\0node\0cluster', 'app.default'],
]);

/** HeaderUtility::headerNameIsValid (RFC 7230 token, or a pseudo-header). */
function headerNameIsValid(name: string): boolean {
  if (name.length === 0) return false;
  let i = name.charCodeAt(0) === 58 ? 1 : 0;
  if (i === name.length) return false;
  for (; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
      c === 33 || c === 35 || c === 36 || c === 37 || c === 38 || c === 39 || c === 42 || c === 43 ||
      c === 45 || c === 46 || c === 94 || c === 95 || c === 96 || c === 124 || c === 126;
    if (!ok) return false;
  }
  return true;
}

/** absl::SimpleAtoi for int64: optional surrounding whitespace and sign, digits only. */
function simpleAtoi(s: string): number | undefined {
  const m = /^\s*([+-]?\d+)\s*$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}


/** Grpc::Common::getGrpcStatus(headers-or-trailers): undefined if absent, -1 if invalid. */
function grpcStatusOf(map: HeaderMap | null): number | undefined {
  const v = grpcStatusHeader(map);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n <= 16 ? n : -1;
}

/** Map lookup `request.headers[<name>]` etc.: comma-joined values, NotFound if absent/invalid. */
function headerEntry(map: HeaderMap | null, name: string, out: PropOut): number {
  if (!map || !headerNameIsValid(name)) return WasmResult.NotFound;
  const v = map.getJoined(name.toLowerCase());
  return v === undefined ? WasmResult.NotFound : out.setStr(v);
}

/** `request.headers` as a whole: pairs of unique keys with joined values (order unspecified in Envoy). */
function headerMapValue(map: HeaderMap | null, out: PropOut): number {
  const keys: string[] = [];
  const values: string[] = [];
  if (map) {
    for (const k of map.keys) {
      if (keys.indexOf(k) < 0) {
        keys.push(k);
        values.push(map.getJoined(k)!);
      }
    }
  }
  // envoy serializeValue(kMap): an empty map still serializes to a 4-byte count.
  return out.setBytes(encodePairs(keys, values));
}

/**
 * Resolve `path` ("\0"-separated) for a context. `stream` is null for the root/VM context.
 * Writes the value to `out` and returns a WasmResult.
 */
export function resolveProperty(path: string, stream: StreamView | null, env: PropertyEnv, out: PropOut): number {
  // Trailing "\0" tolerated (Envoy's loop stops when start >= size).
  if (path.length > 0 && path.charCodeAt(path.length - 1) === 0) path = path.slice(0, -1);
  if (path.length === 0) return WasmResult.SerializationFailure; // null CelValue

  if (env.missing.size > 0) {
    if (env.missing.has(path)) return WasmResult.NotFound;
    for (let i = path.indexOf('\0'); i >= 0; i = path.indexOf('\0', i + 1)) {
      if (env.missing.has(path.slice(0, i))) return WasmResult.NotFound;
    }
  }

  const sep = path.indexOf('\0');
  const top = sep < 0 ? path : path.slice(0, sep);
  const isStreamTop = STREAM_TOP.has(top);

  if (!isStreamTop || stream) {
    const o = stream?.overrides?.get(path) ?? env.overrides.get(path);
    if (o !== undefined) return out.setValue(o);
  }

  if (sep < 0) return resolveTop(top, stream, env, out);

  const rest = path.slice(sep + 1);
  const sep2 = rest.indexOf('\0');
  const field = sep2 < 0 ? rest : rest.slice(0, sep2);
  const tail = sep2 < 0 ? undefined : rest.slice(sep2 + 1);

  if (top === 'xds') return resolveXds(field, tail, path, env, out);
  if (isStreamTop) {
    if (!stream) return WasmResult.NotFound; // no StreamInfo in the root context
    switch (top) {
      case 'request': return resolveRequest(field, tail, stream, out);
      case 'response': return resolveResponse(field, tail, stream, out);
      case 'filter_state': {
        if (tail !== undefined) return WasmResult.NotFound; // bytes value has no fields
        const v = stream.stateMap.get(rest);
        return v ? out.setBytes(v) : WasmResult.NotFound;
      }
      default: {
        if (tail !== undefined) return WasmResult.NotFound;
        if (top === 'connection' && field === 'id') return out.setI64(stream.connectionId);
        if (top === 'upstream' && field === 'request_attempt_count') return out.setI64(stream.upstreamAttempts);
        const d = DEFAULTS.get(path);
        return d === undefined ? WasmResult.NotFound : out.setValue(d);
      }
    }
  }
  // A scalar (plugin_* or filter state) has no sub-fields.
  return WasmResult.NotFound;
}

function resolveTop(top: string, stream: StreamView | null, env: PropertyEnv, out: PropOut): number {
  switch (top) {
    case 'request': case 'response': case 'connection': case 'upstream': case 'source':
    case 'destination': case 'filter_state': case 'upstream_filter_state':
      // A CelMap whose ListKeys is unimplemented → serializeValue fails.
      return stream ? WasmResult.SerializationFailure : WasmResult.NotFound;
    case 'metadata':
      // Empty dynamic metadata proto → serialized as 0 bytes.
      return stream ? out.setBytes(EMPTY_BYTES) : WasmResult.NotFound;
    case 'xds':
      return WasmResult.SerializationFailure;
    case 'plugin_name': return out.setStr(env.pluginName);
    case 'plugin_root_id': return out.setStr(env.rootId);
    case 'plugin_vm_id': return out.setStr(env.vmId);
    case 'connection_id': return stream ? out.setI64(stream.connectionId) : WasmResult.NotFound;
    default: {
      if (!stream) return WasmResult.NotFound;
      const v = stream.stateMap.get(`wasm.${top}`);
      return v ? out.setBytes(v) : WasmResult.NotFound;
    }
  }
}

function resolveRequest(field: string, tail: string | undefined, s: StreamView, out: PropOut): number {
  const h = s.activationRequestHeaders();
  if (field === 'headers') {
    if (tail === undefined) return headerMapValue(h, out);
    if (tail.indexOf('\0') >= 0) return WasmResult.NotFound;
    return headerEntry(h, tail, out);
  }
  if (tail !== undefined) return WasmResult.NotFound;
  switch (field) {
    case 'path': return hdr(h, ':path', out);
    case 'url_path': {
      if (!h) return WasmResult.NotFound;
      const p = h.get(':path') ?? '';
      const q = p.indexOf('?');
      return out.setStr(q < 0 ? p : p.slice(0, q));
    }
    case 'query': {
      if (!h) return WasmResult.NotFound;
      const p = h.get(':path') ?? '';
      const q = p.indexOf('?');
      if (q < 0) return out.setStr('');
      const rest = p.slice(q + 1);
      const f = rest.indexOf('#');
      return out.setStr(f < 0 ? rest : rest.slice(0, f));
    }
    case 'host': return hdr(h, ':authority', out);
    case 'scheme': return hdr(h, ':scheme', out);
    case 'method': return hdr(h, ':method', out);
    case 'referer': return hdr(h, 'referer', out);
    case 'id': return hdr(h, 'x-request-id', out);
    case 'useragent': return hdr(h, 'user-agent', out);
    case 'headers_bytes': return out.setI64(h ? h.byteSize() : 0);
    case 'time': return out.setI64(s.startTimeNs);
    case 'protocol': return out.setStr(s.protocol);
    case 'duration':
      return s.completeTimeNs === undefined ? WasmResult.NotFound : out.setI64(s.completeTimeNs - s.startTimeNs);
    case 'size': {
      const cl = h?.get('content-length');
      if (cl !== undefined) {
        const n = simpleAtoi(cl);
        return n === undefined ? WasmResult.NotFound : out.setI64(n);
      }
      return out.setI64(s.bytesReceived);
    }
    case 'total_size': return out.setI64(s.bytesReceived + (h ? h.byteSize() : 0));
    default: return WasmResult.NotFound;
  }
}

function hdr(h: HeaderMap | null, key: string, out: PropOut): number {
  if (!h) return WasmResult.NotFound;
  const v = h.get(key);
  return v === undefined ? WasmResult.NotFound : out.setStr(v);
}

function resolveResponse(field: string, tail: string | undefined, s: StreamView, out: PropOut): number {
  if (field === 'headers' || field === 'trailers') {
    const m = field === 'headers' ? s.activationResponseHeaders() : s.activationResponseTrailers();
    if (tail === undefined) return headerMapValue(m, out);
    if (tail.indexOf('\0') >= 0) return WasmResult.NotFound;
    return headerEntry(m, tail, out);
  }
  if (tail !== undefined) return WasmResult.NotFound;
  switch (field) {
    case 'code': return s.responseCode === undefined ? WasmResult.NotFound : out.setI64(s.responseCode);
    case 'code_details': return s.responseCodeDetails === undefined ? WasmResult.NotFound : out.setStr(s.responseCodeDetails);
    case 'flags': return out.setI64(s.responseFlags);
    case 'size': return out.setI64(s.bytesSent);
    case 'headers_bytes': {
      const m = s.activationResponseHeaders();
      return out.setI64(m ? m.byteSize() : 0);
    }
    case 'total_size': {
      const m = s.activationResponseHeaders();
      const t = s.activationResponseTrailers();
      return out.setI64(s.bytesSent + (m ? m.byteSize() : 0) + (t ? t.byteSize() : 0));
    }
    case 'grpc_status': {
      const g = grpcStatusOf(s.activationResponseTrailers()) ?? grpcStatusOf(s.activationResponseHeaders());
      if (g !== undefined) return out.setI64(g);
      return s.responseCode === undefined ? WasmResult.NotFound : out.setI64(httpToGrpcStatus(s.responseCode));
    }
    default: return WasmResult.NotFound;
  }
}

/** Minimal protobuf encoding of envoy.config.core.v3.Node {id = 1, cluster = 2}. */
function encodeNode(id: string, cluster: string): Uint8Array {
  const parts: number[] = [];
  const field = (tag: number, s: string): void => {
    if (s.length === 0) return;
    const b = Buffer.from(s, 'utf8');
    parts.push(tag);
    let n = b.length;
    while (n > 0x7f) {
      parts.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    parts.push(n);
    for (const x of b) parts.push(x);
  };
  field(0x0a, id);
  field(0x12, cluster);
  return Uint8Array.from(parts);
}

function resolveXds(field: string, tail: string | undefined, path: string, env: PropertyEnv, out: PropOut): number {
  if (field !== 'node') {
    // cluster_name, route_name, listener_direction, ... are only available as overrides.
    return WasmResult.NotFound;
  }
  if (tail === undefined) {
    const id = String(env.overrides.get('xds\0node\0id') ?? DEFAULTS.get('xds\0node\0id'));
    const cluster = String(env.overrides.get('xds\0node\0cluster') ?? DEFAULTS.get('xds\0node\0cluster'));
    return out.setBytes(encodeNode(id, cluster));
  }
  const d = DEFAULTS.get(path);
  return d === undefined ? WasmResult.NotFound : out.setValue(d);
}
