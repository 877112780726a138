// The Envoy attributes a condition may reference
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes).
//
// Each attribute gets a small numeric id at compile time; the evaluator asks the Activation for
// attributes by id, so the per-request path never looks names up or builds property paths.
// Property paths (`request\0url_path`) are encoded once, when the table is first used.

import { propertyPath, HeaderMapType } from "../abi/hostcalls";
import { CelType, TypeKind, T_MAP_STRING_STRING, T_MAP_STRING_BYTES, scalarType } from "./types";
import { Kind } from "./value";

export const enum AttrId {
  RequestPath,
  RequestUrlPath,
  RequestHost,
  RequestScheme,
  RequestMethod,
  RequestHeaders,
  RequestReferer,
  RequestUseragent,
  RequestTime,
  RequestId,
  RequestProtocol,
  RequestQuery,
  RequestDuration,
  RequestSize,
  RequestTotalSize,
  ResponseCode,
  ResponseCodeDetails,
  ResponseFlags,
  ResponseGrpcStatus,
  ResponseHeaders,
  ResponseTrailers,
  ResponseSize,
  ResponseTotalSize,
  SourceAddress,
  SourcePort,
  DestinationAddress,
  DestinationPort,
  ConnectionId,
  ConnectionMtls,
  ConnectionRequestedServerName,
  ConnectionTlsVersion,
  UpstreamAddress,
  UpstreamPort,
  XdsClusterName,
  XdsRouteName,
  PluginName,
  PluginRootId,
  PluginVmId,
  FilterState, // map: filter_state['wasm.x'] (values are bytes)
  COUNT,
}

/** Only known once the stream has completed (on_log): response.*, request.duration/size/total_size. */
export const ATTR_AFTER_RESPONSE: u32 = 1;
/** Read from the live request header map: readable in on_request_headers and on_log only. */
export const ATTR_REQUEST_HEADER_DERIVED: u32 = 2;
/** A map whose keys are header names: lookups lower-case the key (as Envoy's HeadersWrapper does). */
export const ATTR_HEADER_MAP: u32 = 4;

export class AttributeInfo {
  id: i32;
  name: string; // dotted CEL name, e.g. "request.url_path"
  type: CelType;
  flags: u32;
  path: ArrayBuffer; // Envoy property path, segments joined by \0
  /** For header maps: which host header map backs it (-1 otherwise). */
  headerMap: i32;
  constructor(id: i32, name: string, type: CelType, flags: u32, headerMap: i32) {
    this.id = id;
    this.name = name;
    this.type = type;
    this.flags = flags;
    this.path = propertyPath(name);
    this.headerMap = headerMap;
  }
  @inline get afterResponse(): bool { return (this.flags & ATTR_AFTER_RESPONSE) != 0; }
}

/** Attribute names (dotted CEL names), indexed by AttrId. */
const NAMES: string[] = [
  "request.path", "request.url_path", "request.host", "request.scheme", "request.method", "request.headers",
  "request.referer", "request.useragent", "request.time", "request.id", "request.protocol", "request.query",
  "request.duration", "request.size", "request.total_size",
  "response.code", "response.code_details", "response.flags", "response.grpc_status", "response.headers",
  "response.trailers", "response.size", "response.total_size",
  "source.address", "source.port", "destination.address", "destination.port",
  "connection.id", "connection.mtls", "connection.requested_server_name", "connection.tls_version",
  "upstream.address", "upstream.port", "xds.cluster_name", "xds.route_name",
  "plugin_name", "plugin_root_id", "plugin_vm_id", "filter_state",
];

// Each attribute's spec: its type (a scalar TypeKind, or Map), its flags << 4, and for maps backed
// by a host header map, (HeaderMapType + 1) << 8 (the map is then map(string, string), otherwise
// filter state's map(string, bytes)).
const STRING = <u16>TypeKind.String;
const INT = <u16>TypeKind.Int;
const UINT = <u16>TypeKind.Uint;
const BOOL = <u16>TypeKind.Bool;
const TIMESTAMP = <u16>TypeKind.Timestamp;
const DURATION = <u16>TypeKind.Duration;
const FILTER_STATE = <u16>TypeKind.Map;
const REQ = <u16>(ATTR_REQUEST_HEADER_DERIVED << 4);
const RESP = <u16>(ATTR_AFTER_RESPONSE << 4);
const HEADER_MAP = <u16>(TypeKind.Map | (ATTR_HEADER_MAP << 4));
const REQUEST_HEADERS = HEADER_MAP | REQ | <u16>((HeaderMapType.RequestHeaders + 1) << 8);
const RESPONSE_HEADERS = HEADER_MAP | RESP | <u16>((HeaderMapType.ResponseHeaders + 1) << 8);
const RESPONSE_TRAILERS = HEADER_MAP | RESP | <u16>((HeaderMapType.ResponseTrailers + 1) << 8);

/** Specs (see above), indexed by AttrId. */
const SPECS: StaticArray<u16> = [
  STRING | REQ, STRING | REQ, STRING | REQ, STRING | REQ, STRING | REQ, REQUEST_HEADERS, // path … headers
  STRING | REQ, STRING | REQ, TIMESTAMP, STRING | REQ, STRING, STRING | REQ, // referer … query
  DURATION | RESP, INT | RESP, INT | RESP, // duration, size, total_size
  INT | RESP, STRING | RESP, INT | RESP, INT | RESP, RESPONSE_HEADERS, // response.code … headers
  RESPONSE_TRAILERS, INT | RESP, INT | RESP, // trailers, size, total_size
  STRING, INT, STRING, INT, // source.*, destination.*
  UINT, BOOL, STRING, STRING, // connection.*
  STRING, INT, STRING, STRING, // upstream.*, xds.*
  STRING, STRING, STRING, FILTER_STATE, // plugin_*, filter_state
];

let table: AttributeInfo[] | null = null;

function buildTable(): AttributeInfo[] {
  const t: AttributeInfo[] = [];
  for (let id = 0; id < AttrId.COUNT; id++) {
    const spec = <u32>SPECS[id];
    const kind = <TypeKind>(spec & 15);
    const headerMap = <i32>(spec >> 8) - 1;
    const type = kind != TypeKind.Map ? scalarType(<Kind>kind) : headerMap >= 0 ? T_MAP_STRING_STRING : T_MAP_STRING_BYTES;
    t.push(new AttributeInfo(id, NAMES[id], type, (spec >> 4) & 15, headerMap)); // index == id
  }
  return t;
}

export function attributeTable(): AttributeInfo[] {
  let t = table;
  if (t === null) {
    t = buildTable();
    table = t;
  }
  return t;
}

/** Attribute by id; ids come from this table, so this never indexes out of range for valid ids. */
export function attributeInfo(id: i32): AttributeInfo {
  const t = attributeTable();
  return t[id];
}

export function findAttribute(name: string): AttributeInfo | null {
  const t = attributeTable();
  for (let i = 0; i < t.length; i++) {
    const a = unchecked(t[i]);
    if (a.name == name) return a;
  }
  return null;
}

/** Top-level names that are attribute namespaces, not filter-state names. */
const NAMESPACES: string[] = ["request", "response", "source", "destination", "connection", "upstream", "xds"];
/** Envoy namespaces this implementation does not model. */
const UNSUPPORTED_NAMESPACES: string[] = ["metadata", "node", "cluster_metadata", "route_metadata", "upstream_filter_state"];

export function isNamespace(name: string): bool {
  return NAMESPACES.includes(name);
}
export function isUnsupportedNamespace(name: string): bool {
  return UNSUPPORTED_NAMESPACES.includes(name);
}

/** Every attribute name, for "did you mean" hints (the table itself: callers only read it). */
export function attributeNames(): string[] {
  return NAMES;
}

/** True when some proper dotted prefix of `qn` is an attribute (`request.headers` of `request.headers.x`). */
export function hasAttributePrefix(qn: string): bool {
  // each '.' after the first character, the last one first
  for (let dot = qn.length - 1; dot > 0; dot--) {
    if (qn.charCodeAt(dot) == 0x2e && findAttribute(qn.substring(0, dot)) !== null) return true;
  }
  return false;
}

/** The first segment of a dotted name (`request` of `request.method`). */
export function rootName(qn: string): string {
  const dot = qn.indexOf(".");
  return dot < 0 ? qn : qn.substring(0, dot);
}
