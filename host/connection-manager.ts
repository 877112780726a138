// Envoy's HTTP connection manager (HCM) and router rules that do not depend on one stream's
// state: the request header map the filters see, the response flags, and the router's answer to
// an upstream failure. SimulatedEnvoy.request() and the CLI's dev proxy both build their streams
// with these, so the two simulated Envoys cannot drift apart. The stream's state machine itself
// (callbacks, local replies, resets) is HttpStream (stream.ts).
//
// Sources: envoy source/common/http/conn_manager_utility.cc (mutateRequestHeaders),
// source/common/http/http1/codec_impl.cc (Host → :authority), source/common/router/router.cc
// (onUpstreamAbort, onUpstreamReset), envoy/stream_info/stream_info.h (ResponseFlag),
// source/common/stream_info/utility.cc (ResponseFlagUtils::toShortString).
import { randomUUID } from 'node:crypto';
import type { HeaderPairs } from './types.ts';

/**
 * StreamInfo response flags, one bit each in Envoy's (legacy) order, keyed by the short string
 * ResponseFlagUtils prints (Istio's response_flags label, `%RESPONSE_FLAGS%`).
 */
export const ResponseFlag = {
  LH: 1 << 0, // FailedLocalHealthCheck
  UH: 1 << 1, // NoHealthyUpstream
  UT: 1 << 2, // UpstreamRequestTimeout
  LR: 1 << 3, // LocalReset
  UR: 1 << 4, // UpstreamRemoteReset
  UF: 1 << 5, // UpstreamConnectionFailure
  UC: 1 << 6, // UpstreamConnectionTermination
  UO: 1 << 7, // UpstreamOverflow
  NR: 1 << 8, // NoRouteFound
  DI: 1 << 9, // DelayInjected
  FI: 1 << 10, // FaultInjected
  RL: 1 << 11, // RateLimited
  UAEX: 1 << 12, // UnauthorizedExternalService
  RLSE: 1 << 13, // RateLimitServiceError
  DC: 1 << 14, // DownstreamConnectionTermination
  URX: 1 << 15, // UpstreamRetryLimitExceeded
  SI: 1 << 16, // StreamIdleTimeout
  IH: 1 << 17, // InvalidEnvoyRequestHeaders
  DPE: 1 << 18, // DownstreamProtocolError
  UMSDR: 1 << 19, // UpstreamMaxStreamDurationReached
  RFCF: 1 << 20, // ResponseFromCacheFilter
  NFCF: 1 << 21, // NoFilterConfigFound
  DT: 1 << 22, // DurationTimeout
  UPE: 1 << 23, // UpstreamProtocolError
  NC: 1 << 24, // NoClusterFound
  OM: 1 << 25, // OverloadManager
  DF: 1 << 26, // DnsResolutionFailed
  DO: 1 << 27, // DropOverLoad
  DR: 1 << 28, // DownstreamRemoteReset
} as const;

const FLAG_NAMES = Object.keys(ResponseFlag) as (keyof typeof ResponseFlag)[];

/** ResponseFlagUtils::toShortString: "-" without flags, else the set flags in bit order, comma-separated. */
export function responseFlagsShortString(flags: number): string {
  if (flags === 0) return '-';
  const out: string[] = [];
  for (const name of FLAG_NAMES) if (flags & ResponseFlag[name]) out.push(name);
  return out.join(',');
}

// ---------------------------------------------------------------- request headers

/**
 * Connection-level headers: the HCM removes them before the filters run and the codec re-frames
 * bodies itself (RFC 9110 §7.6.1); so are the headers a Connection header names.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'proxy-authenticate', 'proxy-authorization',
]);

/** Lower-case names listed in the Connection header(s), or null when there is none (the usual case). */
function connectionListed(headers: HeaderPairs): Set<string> | null {
  let listed: Set<string> | null = null;
  for (const [k, v] of headers) {
    if (k.toLowerCase() !== 'connection') continue;
    listed ??= new Set();
    for (const t of v.split(',')) listed.add(t.trim().toLowerCase());
  }
  return listed;
}

/** The pairs with lower-cased names, without hop-by-hop headers and those named in Connection. */
export function withoutHopByHop(headers: HeaderPairs): HeaderPairs {
  const listed = connectionListed(headers);
  const out: HeaderPairs = [];
  for (const [k, v] of headers) {
    const lk = k.toLowerCase();
    if (!HOP_BY_HOP_HEADERS.has(lk) && !listed?.has(lk)) out.push([lk, v]);
  }
  return out;
}

/** A request as the downstream codec received it. */
export interface DownstreamRequest {
  method: string;
  path: string;
  /** :authority, unless the request carries a Host header (the HTTP/1 codec maps Host to :authority). */
  authority: string;
  scheme: string;
  /** Headers in arrival order, names in any case. */
  headers: HeaderPairs;
  /** Body length when known before the headers go through the filters: adds content-length if absent. */
  bodyLength?: number;
  /** Value of a generated x-request-id (default: a random UUID). */
  requestId?: string;
  /** Lower-case names to leave out, generated headers included (to test a filter without them). */
  omit?: readonly string[];
}

/**
 * The request header map the filters see: pseudo-headers first (Host → :authority), names
 * lower-cased, hop-by-hop headers removed, then what the HCM adds when the client sent none:
 * content-length (known body length), x-request-id (generate_request_id) and x-forwarded-proto
 * (the listener's scheme). Path fragments are stripped by the stream (HttpStream.requestHeaders).
 */
export function downstreamRequestHeaders(r: DownstreamRequest): HeaderPairs {
  const omit = r.omit;
  const out: HeaderPairs = [];
  const add = (k: string, v: string): void => {
    if (!omit || !omit.includes(k)) out.push([k, v]);
  };
  let authority = r.authority;
  for (const [k, v] of r.headers) if (k.toLowerCase() === 'host') authority = v;
  add(':authority', authority);
  add(':path', r.path);
  add(':method', r.method);
  add(':scheme', r.scheme);
  const listed = connectionListed(r.headers);
  let hasLength = false;
  let hasRequestId = false;
  let hasProto = false;
  for (const [k, v] of r.headers) {
    const lk = k.toLowerCase();
    if (lk === 'host' || HOP_BY_HOP_HEADERS.has(lk) || listed?.has(lk)) continue;
    if (lk === 'content-length') hasLength = true;
    else if (lk === 'x-request-id') hasRequestId = true;
    else if (lk === 'x-forwarded-proto') hasProto = true;
    add(lk, v);
  }
  if (r.bodyLength !== undefined && r.bodyLength > 0 && !hasLength) add('content-length', String(r.bodyLength));
  if (!hasRequestId) add('x-request-id', r.requestId ?? randomUUID());
  if (!hasProto) add('x-forwarded-proto', r.scheme);
  return out;
}

// ---------------------------------------------------------------- upstream failures

/** Why the router gave up on the upstream request (Http::StreamResetReason, or the route timeout). */
export type UpstreamFailure =
  | { reason: 'route_timeout' }
  /** `transportFailure`: the socket's error as Envoy prints it, e.g. "delayed connect error: 111". */
  | { reason: 'remote_connection_failure'; transportFailure: string }
  | { reason: 'connection_timeout' }
  | { reason: 'connection_termination' };

/** The router's local reply for an upstream failure before the response started (Router::onUpstreamAbort). */
export interface RouterReply {
  status: number;
  body: string;
  /** Set on StreamInfo along with the reply. */
  flag: number;
  /** StreamInfo's response code details. */
  details: string;
}

/** The router's 503 when the upstream connection failed or reset before the response headers. */
function resetBeforeHeaders(reason: string, cause: string, flag: number): RouterReply {
  return {
    status: 503,
    body: `upstream connect error or disconnect/reset before headers. reset reason: ${reason}`,
    flag,
    details: `upstream_reset_before_response_started{${cause}}`,
  };
}

export function routerReply(f: UpstreamFailure): RouterReply {
  switch (f.reason) {
    case 'route_timeout':
      return { status: 504, body: 'upstream request timeout', flag: ResponseFlag.UT, details: 'upstream_response_timeout' };
    case 'remote_connection_failure':
      return resetBeforeHeaders(`remote connection failure, transport failure reason: ${f.transportFailure}`, f.reason, ResponseFlag.UF);
    case 'connection_timeout':
      return resetBeforeHeaders('connection timeout', f.reason, ResponseFlag.UF);
    case 'connection_termination':
      return resetBeforeHeaders('connection termination', f.reason, ResponseFlag.UC);
  }
}

/** Once the response started downstream the router can only reset the stream; the flag it records. */
export function upstreamResetFlag(f: UpstreamFailure): number {
  return f.reason === 'route_timeout' ? ResponseFlag.UT : ResponseFlag.UR;
}
