// Header conversion between node:http and the simulated Envoy's header maps, with the
// connection-level (hop-by-hop) headers a proxy must not forward (RFC 9110 §7.6.1; Envoy's HTTP/1
// codec drops the same set and re-frames bodies itself).
import { HOP_BY_HOP_HEADERS, withoutHopByHop, type HeaderPairs } from '../../host/index.ts';

/** (name, value) pairs from node's rawHeaders, as received. */
export function rawPairs(rawHeaders: string[]): HeaderPairs {
  const out: HeaderPairs = [];
  for (let i = 0; i < rawHeaders.length; i += 2) out.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  return out;
}

/** Lower-cased (name, value) pairs from node's rawHeaders, without hop-by-hop headers and those named in Connection. */
export function endToEndPairs(rawHeaders: string[]): HeaderPairs {
  return withoutHopByHop(rawPairs(rawHeaders));
}

/** Pairs without pseudo-headers, flattened for node's writeHead / request (["k", "v", …]). */
export function flatHeaders(pairs: HeaderPairs, drop: Set<string> = new Set()): string[] {
  const flat: string[] = [];
  for (const [k, v] of pairs) {
    if (k.startsWith(':') || drop.has(k) || HOP_BY_HOP_HEADERS.has(k)) continue;
    flat.push(k, v);
  }
  return flat;
}

export function getHeader(pairs: HeaderPairs, name: string): string | undefined {
  for (const [k, v] of pairs) if (k === name) return v;
  return undefined;
}

/** Whether an HTTP/1.1 message with these headers carries a body (RFC 9112 §6.3). */
export function requestHasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const len = headers['content-length'];
  return len !== undefined && Number(len) > 0;
}

/** Responses that never have a body: to HEAD, 1xx, 204, 304; or with Content-Length: 0. */
export function responseHasBody(method: string, status: number, headers: { 'content-length'?: string }): boolean {
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return false;
  return headers['content-length'] === undefined || Number(headers['content-length']) > 0;
}
