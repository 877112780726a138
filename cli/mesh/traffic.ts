// `serve --traffic N`: N sample requests through the proxy, spread over the sample app's routes —
// matched and unmatched, 2xx, 4xx, 5xx, slow — a few at a time, in a fixed pseudo-random order
// (seeded, so two runs send the same mix).
import { Agent, request } from 'node:http';
import { SAMPLE_USER_IDS } from './sample-app.ts';
import { Progress } from '../terminal.ts';

export interface SampleRequest {
  method: string;
  path: string;
  body?: string;
  /** Host header (→ :authority); unset = the proxy's own address, as curl would send. */
  host?: string;
}

type Maker = (rand: () => number) => SampleRequest;

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** [weight, request maker]: what a podinfo-like service sees, with its share of mistakes. */
const MIX: [number, Maker][] = [
  [25, () => ({ method: 'GET', path: '/healthz' })],
  [15, (r) => ({ method: 'POST', path: '/echo', body: JSON.stringify({ message: 'hello', n: Math.floor(r() * 1000), pad: 'x'.repeat(Math.floor(r() * 2000)) }) })],
  [15, (r) => ({ method: 'GET', path: `/users/${pick(r, SAMPLE_USER_IDS)}` })],
  [3, (r) => ({ method: 'HEAD', path: `/users/${pick(r, SAMPLE_USER_IDS)}` })],
  [5, (r) => ({ method: 'GET', path: `/users/${900 + Math.floor(r() * 99)}` })], // 404
  [8, (r) => ({ method: 'GET', path: `/delay/${10 + Math.floor(r() * 240)}` })], // slow
  [4, () => ({ method: 'GET', path: '/status/500' })],
  [3, () => ({ method: 'GET', path: '/status/503' })],
  [2, () => ({ method: 'GET', path: '/status/429' })],
  [5, () => ({ method: 'GET', path: '/' })],
  [5, (r) => ({ method: 'GET', path: `/nowhere/${Math.floor(r() * 10)}` })], // unmatched
  [3, () => ({ method: 'GET', path: '/readyz' })], // unmatched: not in the sample config
  [2, () => ({ method: 'DELETE', path: '/users/1' })], // unmatched method
];
const TOTAL_WEIGHT = MIX.reduce((a, [w]) => a + w, 0);

/** mulberry32: small, fast, good enough to shuffle a request mix (and to replay a fuzz run). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `hosts` (when given) are taken in turn, so each service of a `services` configuration gets its share. */
export function sampleRequests(n: number, seed = 42, hosts: readonly string[] = []): SampleRequest[] {
  const rand = prng(seed);
  const out: SampleRequest[] = [];
  for (let i = 0; i < n; i++) {
    let x = rand() * TOTAL_WEIGHT;
    const entry = MIX.find(([w]) => (x -= w) < 0) ?? MIX[0]!;
    const r = entry[1](rand);
    if (hosts.length > 0) r.host = hosts[i % hosts.length]!;
    out.push(r);
  }
  return out;
}

/**
 * Host names that reach each service of a `services` configuration: the first exact host of each,
 * a made-up name under a wildcard-only service (`*.preview.example.com` → `sample.preview.example.com`),
 * and one name no service claims. Empty for a flat configuration or unreadable JSON.
 */
export function serviceHosts(pluginConfig: string | undefined): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(pluginConfig ?? '');
  } catch {
    return [];
  }
  const services = (parsed as { services?: unknown } | null)?.services;
  if (!Array.isArray(services)) return [];
  const out: string[] = [];
  for (const s of services) {
    const hosts = (s as { hosts?: unknown } | null)?.hosts;
    if (!Array.isArray(hosts)) continue; // the fallback service: reached by the unclaimed name below
    const names = hosts.filter((h): h is string => typeof h === 'string');
    const exact = names.find((h) => !h.startsWith('*.'));
    const wildcard = names.find((h) => h.startsWith('*.'));
    if (exact !== undefined) out.push(exact);
    else if (wildcard !== undefined) out.push(`sample.${wildcard.slice(2)}`);
  }
  out.push('unclaimed.invalid');
  return out;
}

/** Sends one request; resolves with the status (0 on a network error). */
export function send(agent: Agent, base: URL, r: SampleRequest): Promise<number> {
  return new Promise((resolve) => {
    const body = r.body === undefined ? undefined : Buffer.from(r.body);
    const req = request(
      {
        host: base.hostname, port: Number(base.port), method: r.method, path: r.path, agent,
        headers: { ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}), ...(r.host ? { host: r.host } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Sends `n` sample requests to `base` (Host headers from `hosts` in turn, if any) with `concurrency` in flight; progress on stderr. */
export async function runTraffic(base: URL, n: number, concurrency = 8, hosts: readonly string[] = []): Promise<{ sent: number; failed: number; elapsedMs: number }> {
  const requests = sampleRequests(n, 42, hosts);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const progress = new Progress('traffic', n);
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const status = await send(agent, base, r);
      if (status === 0) failed++;
      progress.update(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  progress.finish();
  agent.destroy();
  return { sent: n, failed, elapsedMs: performance.now() - t0 };
}
