// Header conversion between node:http and the simulated Envoy's header maps, with the
// connection-level (hop-by-hop) headers a proxy must not forward (RFC 9110 §7.6.1; Envoy's HTTP/1
// codec drops the same set and re-frames bodies itself).
import type { HeaderPairs } from '../../host/index.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate', 'proxy-authorization']);

/** Lower-cased (name, value) pairs from node's rawHeaders, without hop-by-hop headers and those named in Connection. */
export function endToEndPairs(rawHeaders: string[]): HeaderPairs {
  const listed = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') {
      for (const t of rawHeaders[i + 1]!.split(',')) listed.add(t.trim().toLowerCase());
    }
  }
  const out: HeaderPairs = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(k) && !listed.has(k)) out.push([k, rawHeaders[i + 1]!]);
  }
  return out;
}

/** Pairs without pseudo-headers, flattened for node's writeHead / request (["k", "v", …]). */
export function flatHeaders(pairs: HeaderPairs, drop: Set<string> = new Set()): string[] {
  const flat: string[] = [];
  for (const [k, v] of pairs) {
    if (k.startsWith(':') || drop.has(k) || HOP_BY_HOP.has(k)) continue;
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
