// Benchmark report: targets, Markdown table and an SVG chart (ns/request vs route count).
import type { Measurement } from './measure.ts';

export interface Target { name: string; value: string; limit: string; ok: boolean }

export function evaluateTargets(ms: Measurement[], wasmBytes: number): Target[] {
  const floor = ms.find((m) => m.kind === 'floor')!;
  const native = ms.filter((m) => m.kind === 'native').sort((a, b) => a.size - b.size);
  const cel10 = ms.find((m) => m.kind === 'attributegen' && m.size === 10);
  const at = (n: number) => native.find((m) => m.size === n);
  const out: Target[] = [];
  const n10 = at(10), n10k = at(10000);
  if (n10 && n10k) {
    const r = n10k.nsPerRequest / n10.nsPerRequest;
    out.push({ name: 'native ns/request at 10,000 routes vs 10 routes', value: `${r.toFixed(2)}×`, limit: '≤ 1.2×', ok: r <= 1.2 });
    const c = n10k.configureMs;
    out.push({ name: 'configure 10,000 routes', value: `${c.toFixed(1)} ms`, limit: '≤ 50 ms', ok: c <= 50 });
  }
  const worstNative = native.reduce((m, x) => Math.max(m, x.nsPerRequest / floor.nsPerRequest), 0);
  out.push({ name: 'native total vs floor (worst size)', value: `${worstNative.toFixed(2)}×`, limit: '≤ 1.5×', ok: worstNative <= 1.5 });
  if (cel10) {
    const r = cel10.nsPerRequest / floor.nsPerRequest;
    out.push({ name: 'attributegen 10 conditions vs floor', value: `${r.toFixed(2)}×`, limit: '≤ 3×', ok: r <= 3 });
  }
  out.push({ name: 'release .wasm size', value: `${(wasmBytes / 1024).toFixed(1)} KiB`, limit: '≤ 64 KiB', ok: wasmBytes <= 64 * 1024 });
  const grew = ms.filter((m) => m.pagesAfter > m.pagesBefore);
  out.push({ name: 'linear memory growth after warm-up', value: grew.length ? grew.map((m) => `${m.name}: ${m.pagesBefore}→${m.pagesAfter}`).join(', ') : 'none',
    limit: 'none', ok: grew.length === 0 });
  return out;
}

export function markdown(ms: Measurement[], targets: Target[], wasmBytes: number, meta: Record<string, string>): string {
  const floor = ms.find((m) => m.kind === 'floor')!;
  const lines = [
    '# route-metrics benchmark', '',
    Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`).join('\n'), '',
    '| case | ns/request (median) | × floor | ns over floor | configure | memory pages (before → after) | host calls per request |',
    '|---|---:|---:|---:|---:|---|---|',
  ];
  for (const m of ms) {
    const calls = Object.entries(m.hostCallsPerRequest).map(([k, v]) => `${k.replace(/^proxy_/, '')} ${v}`).join(', ');
    lines.push(`| ${m.name} | ${Math.round(m.nsPerRequest)} | ${(m.nsPerRequest / floor.nsPerRequest).toFixed(2)} | ${Math.round(m.nsPerRequest - floor.nsPerRequest)} | ${m.configureMs.toFixed(2)} ms | ${m.pagesBefore} → ${m.pagesAfter} (${m.memoryRequests.toLocaleString('en')} req) | ${calls} |`);
  }
  lines.push('', 'ns/request is the whole request through the simulated Envoy (V8), host included; "ns over floor" is',
    'what route-metrics adds to the minimal filter that makes the same unavoidable host calls.',
    '', `Release .wasm: ${wasmBytes.toLocaleString('en')} bytes.`, '', '## Targets', '', '| target | measured | limit | |', '|---|---|---|---|');
  for (const t of targets) lines.push(`| ${t.name} | ${t.value} | ${t.limit} | ${t.ok ? 'met' : '**missed**'} |`);
  return lines.join('\n') + '\n';
}

/** Line chart: ns/request against route count (log x), floor as a horizontal line. */
export function svgChart(ms: Measurement[]): string {
  const W = 660, H = 360, L = 70, R = 40, T = 30, B = 50;
  const floor = ms.find((m) => m.kind === 'floor')!;
  const native = ms.filter((m) => m.kind === 'native').sort((a, b) => a.size - b.size);
  const cel = ms.filter((m) => m.kind === 'attributegen').sort((a, b) => a.size - b.size);
  const all = [...native, ...cel, floor];
  const maxY = Math.max(...all.map((m) => m.nsPerRequest)) * 1.15;
  const minX = Math.log10(10), maxX = Math.log10(Math.max(10000, ...all.map((m) => m.size)));
  const x = (n: number) => L + ((Math.log10(Math.max(n, 10)) - minX) / (maxX - minX)) * (W - L - R);
  const y = (v: number) => H - B - (v / maxY) * (H - T - B);
  const path = (pts: Measurement[]) => pts.map((m, i) => `${i ? 'L' : 'M'}${x(m.size).toFixed(1)},${y(m.nsPerRequest).toFixed(1)}`).join(' ');
  const dots = (pts: Measurement[], color: string) => pts.map((m) =>
    `<circle cx="${x(m.size).toFixed(1)}" cy="${y(m.nsPerRequest).toFixed(1)}" r="3.5" fill="${color}"><title>${m.name}: ${Math.round(m.nsPerRequest)} ns</title></circle>`).join('');
  const ticksX = [10, 100, 1000, 10000].map((n) => `<text x="${x(n)}" y="${H - B + 18}" text-anchor="middle">${n.toLocaleString('en')}</text><line x1="${x(n)}" x2="${x(n)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`).join('');
  const stepY = Math.pow(10, Math.floor(Math.log10(maxY / 4)));
  const ticksY: string[] = [];
  for (let v = 0; v <= maxY; v += stepY * Math.ceil(maxY / 4 / stepY)) ticksY.push(`<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text><line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">route-metrics: ns per request vs number of routes (simulated Envoy, V8)</text>
${ticksX}${ticksY.join('')}
<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>
<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">routes / conditions (log scale)</text>
<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">ns / request</text>
<line x1="${L}" x2="${W - R}" y1="${y(floor.nsPerRequest)}" y2="${y(floor.nsPerRequest)}" stroke="#999" stroke-dasharray="5,4"/>
<text x="${L + 6}" y="${y(floor.nsPerRequest) + 15}" fill="#666">floor filter: ${Math.round(floor.nsPerRequest)} ns</text>
<path d="${path(native)}" fill="none" stroke="#1f77b4" stroke-width="2"/>${dots(native, '#1f77b4')}
<path d="${path(cel)}" fill="none" stroke="#d62728" stroke-width="2"/>${dots(cel, '#d62728')}
<text x="${L + 10}" y="${T + 14}" fill="#1f77b4">native routes</text>
<text x="${L + 10}" y="${T + 30}" fill="#d62728">attributegen CEL conditions</text>
</svg>
`;
}
