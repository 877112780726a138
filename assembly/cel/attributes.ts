// The Envoy attributes a condition may reference
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes).
//
// Each attribute gets a small numeric id at compile time; the evaluator asks the Activation for
// attributes by id, so the per-request path never looks names up or builds property paths.
// Property paths (`request\0url_path`) are encoded once, when the table is first used.

import { propertyPath, HeaderMapType } from "../abi/hostcalls";
import { CelType, T_STRING, T_INT, T_UINT, T_BOOL, T_TIMESTAMP, T_DURATION, T_MAP_STRING_STRING, T_MAP_STRING_BYTES } from "./types";

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

const RESPONSE = ATTR_AFTER_RESPONSE;
const REQ_HDR = ATTR_REQUEST_HEADER_DERIVED;

let table: AttributeInfo[] | null = null;

function def(t: AttributeInfo[], id: AttrId, name: string, type: CelType, flags: u32 = 0, headerMap: i32 = -1): void {
  // index == id, asserted by construction order below
  t.push(new AttributeInfo(id, name, type, flags, headerMap));
}

function buildTable(): AttributeInfo[] {
  const t: AttributeInfo[] = [];
  def(t, AttrId.RequestPath, "request.path", T_STRING, REQ_HDR);
  def(t, AttrId.RequestUrlPath, "request.url_path", T_STRING, REQ_HDR);
  def(t, AttrId.RequestHost, "request.host", T_STRING, REQ_HDR);
  def(t, AttrId.RequestScheme, "request.scheme", T_STRING, REQ_HDR);
  def(t, AttrId.RequestMethod, "request.method", T_STRING, REQ_HDR);
  def(t, AttrId.RequestHeaders, "request.headers", T_MAP_STRING_STRING, REQ_HDR | ATTR_HEADER_MAP, HeaderMapType.RequestHeaders);
  def(t, AttrId.RequestReferer, "request.referer", T_STRING, REQ_HDR);
  def(t, AttrId.RequestUseragent, "request.useragent", T_STRING, REQ_HDR);
  def(t, AttrId.RequestTime, "request.time", T_TIMESTAMP);
  def(t, AttrId.RequestId, "request.id", T_STRING, REQ_HDR);
  def(t, AttrId.RequestProtocol, "request.protocol", T_STRING);
  def(t, AttrId.RequestQuery, "request.query", T_STRING, REQ_HDR);
  def(t, AttrId.RequestDuration, "request.duration", T_DURATION, RESPONSE);
  def(t, AttrId.RequestSize, "request.size", T_INT, RESPONSE);
  def(t, AttrId.RequestTotalSize, "request.total_size", T_INT, RESPONSE);
  def(t, AttrId.ResponseCode, "response.code", T_INT, RESPONSE);
  def(t, AttrId.ResponseCodeDetails, "response.code_details", T_STRING, RESPONSE);
  def(t, AttrId.ResponseFlags, "response.flags", T_INT, RESPONSE);
  def(t, AttrId.ResponseGrpcStatus, "response.grpc_status", T_INT, RESPONSE);
  def(t, AttrId.ResponseHeaders, "response.headers", T_MAP_STRING_STRING, RESPONSE | ATTR_HEADER_MAP, HeaderMapType.ResponseHeaders);
  def(t, AttrId.ResponseTrailers, "response.trailers", T_MAP_STRING_STRING, RESPONSE | ATTR_HEADER_MAP, HeaderMapType.ResponseTrailers);
  def(t, AttrId.ResponseSize, "response.size", T_INT, RESPONSE);
  def(t, AttrId.ResponseTotalSize, "response.total_size", T_INT, RESPONSE);
  def(t, AttrId.SourceAddress, "source.address", T_STRING);
  def(t, AttrId.SourcePort, "source.port", T_INT);
  def(t, AttrId.DestinationAddress, "destination.address", T_STRING);
  def(t, AttrId.DestinationPort, "destination.port", T_INT);
  def(t, AttrId.ConnectionId, "connection.id", T_UINT);
  def(t, AttrId.ConnectionMtls, "connection.mtls", T_BOOL);
  def(t, AttrId.ConnectionRequestedServerName, "connection.requested_server_name", T_STRING);
  def(t, AttrId.ConnectionTlsVersion, "connection.tls_version", T_STRING);
  def(t, AttrId.UpstreamAddress, "upstream.address", T_STRING);
  def(t, AttrId.UpstreamPort, "upstream.port", T_INT);
  def(t, AttrId.XdsClusterName, "xds.cluster_name", T_STRING);
  def(t, AttrId.XdsRouteName, "xds.route_name", T_STRING);
  def(t, AttrId.PluginName, "plugin_name", T_STRING);
  def(t, AttrId.PluginRootId, "plugin_root_id", T_STRING);
  def(t, AttrId.PluginVmId, "plugin_vm_id", T_STRING);
  def(t, AttrId.FilterState, "filter_state", T_MAP_STRING_BYTES);
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

/** Every attribute name, for "did you mean" hints. */
export function attributeNames(): string[] {
  const t = attributeTable();
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) out.push(unchecked(t[i]).name);
  return out;
}
