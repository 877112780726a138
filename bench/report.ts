// Benchmark report: the issue-14 targets, Markdown tables (one per mode, the footprint, the
// module's sections) and an SVG chart per mode (ns/request vs route count).
//
// Times are reported net of the null filter (bench/floor/null.ts): "net" = ns − null ns, and
// "× floor" = (case − null) / (floor − null), the filter's cost over the price of having any
// filter at all, relative to the minimal filter making the same host calls. Ratios are paired:
// taken run by run (the runs of all cases are interleaved, so run k of each case saw the same
// machine) and the median of those is reported, which cancels slow drift of a shared machine.
import type { Footprint } from './footprint.ts';
import { median, type BenchMode, type Measurement } from './measure.ts';
import { hostCallNs } from './replay-cost.ts';

/** ok: true met, false not met, null not measured in this run. */
export interface Target { name: string; value: string; limit: string; ok: boolean | null }

const KiB = 1024;

function find(ms: Measurement[], kind: Measurement['kind'], size?: number): Measurement | undefined {
  return ms.find((m) => m.kind === kind && (size === undefined || m.size === size));
}

/** (a − null) / (b − null), run by run, median; of the medians when the run counts differ. */
export function pairedRatio(a: Measurement, b: Measurement, nul: Measurement): number {
  const n = a.runsNs.length;
  if (n === 0 || b.runsNs.length !== n || nul.runsNs.length !== n) {
    return (a.nsPerRequest - nul.nsPerRequest) / (b.nsPerRequest - nul.nsPerRequest);
  }
  return median(a.runsNs.map((x, k) => (x - nul.runsNs[k]!) / (b.runsNs[k]! - nul.runsNs[k]!)));
}

/** (m − null) / (floor − null), paired. */
export function netRatio(m: Measurement, floor: Measurement, nul: Measurement): number {
  return pairedRatio(m, floor, nul);
}

/** Half the interquartile range of the runs, relative to the median (how much the machine moved the figure). */
export function spread(m: Measurement): number {
  const s = [...m.runsNs].sort((a, b) => a - b);
  if (s.length < 4) return NaN;
  const q = (f: number) => s[Math.round(f * (s.length - 1))]!;
  return (q(0.75) - q(0.25)) / 2 / m.nsPerRequest;
}

function ratioTarget(name: string, limit: number, r: number | undefined): Target {
  return { name, value: r === undefined ? '–' : `${r.toFixed(2)}×`, limit: `≤ ${limit}×`, ok: r === undefined ? null : r <= limit };
}

/** The issue-14 targets of one mode: native and attributegen (10 conditions) vs the floor, 10,000 vs 10 routes. */
function modeTargets(mode: BenchMode, ms: Measurement[]): Target[] {
  const floor = find(ms, 'floor');
  const nul = find(ms, 'null');
  const native = ms.filter((m) => m.kind === 'native');
  const cel10 = find(ms, 'attributegen', 10);
  const limit = mode === 'compute' ? 1.5 : 1.1;
  const label = mode === 'compute' ? 'compute mode' : 'host mode';
  const usable = floor && nul;
  const worst = usable && native.length ? Math.max(...native.map((m) => netRatio(m, floor, nul))) : undefined;
  const n10 = find(ms, 'native', 10), n10k = find(ms, 'native', 10000);
  const scale = nul && n10 && n10k ? pairedRatio(n10k, n10, nul) : undefined;
  return [
    ratioTarget(`${label}: native vs floor, net of null (worst route count)`, limit, worst),
    ratioTarget(`${label}: attributegen 10 conditions vs floor, net of null`, limit, usable && cel10 ? netRatio(cel10, floor, nul) : undefined),
    ratioTarget(`${label}: native 10,000 routes vs 10 routes, net of null`, 1.05, scale),
  ];
}

export function evaluateTargets(byMode: Partial<Record<BenchMode, Measurement[]>>, fp: Footprint): Target[] {
  const out: Target[] = [];
  for (const mode of ['compute', 'host'] as const) {
    const ms = byMode[mode];
    if (ms) out.push(...modeTargets(mode, ms));
  }
  const at10k = fp.routes === 10000;
  out.push({
    name: `memory per route (${fp.routes.toLocaleString('en')} native routes, fresh VM)`, value: `${Math.round(fp.bytesPerRoute).toLocaleString('en')} B`,
    limit: '≤ 1 KiB', ok: fp.bytesPerRoute <= KiB,
  });
  out.push({
    name: `configure ${fp.routes.toLocaleString('en')} native routes`, value: `${fp.configureMs.toFixed(1)} ms`,
    limit: at10k ? '≤ 25 ms' : '≤ 25 ms at 10,000 routes', ok: at10k ? fp.configureMs <= 25 : null,
  });
  out.push({ name: 'release .wasm size', value: `${(fp.wasmBytes / KiB).toFixed(1)} KiB`, limit: '≤ 100 KiB', ok: fp.wasmBytes <= 100 * KiB });
  out.push({ name: 'release .wasm size, the aim', value: `${(fp.wasmBytes / KiB).toFixed(1)} KiB`, limit: '≤ 64 KiB', ok: fp.wasmBytes <= 64 * KiB });
  const host = byMode.host;
  if (host) {
    const grew = host.filter((m) => m.pagesAfter > m.pagesBefore);
    out.push({ name: 'linear memory growth after warm-up (host mode)', value: grew.length ? grew.map((m) => `${m.name}: ${m.pagesBefore}→${m.pagesAfter}`).join(', ') : 'none',
      limit: 'none', ok: grew.length === 0 });
  }
  return out;
}

function calls(m: Measurement): string {
  return Object.entries(m.hostCallsPerRequest).map(([k, v]) => `${k.replace(/^proxy_/, '')} ${v}`).join(', ');
}

const MODE_TITLE: Record<BenchMode, string> = {
  compute: 'Compute mode: host calls answered from pre-encoded recordings',
  host: 'Host mode: every request through the simulated Envoy',
};

const MODE_NOTE: Record<BenchMode, string> = {
  compute: 'The same module instances, configured by the simulated Envoy; each request\'s host calls are replayed from a recording of it (host/replay/), a memcpy each, so the time is the module\'s work plus the JS↔Wasm transitions, as under a C++ host where host calls are cheap.',
  host: 'The whole request through the simulated Envoy (V8), host included: most of each figure is the host\'s JavaScript, about a microsecond per host call.',
};

/** One mode's table; in compute mode with the replayed calls' cost, the net time split into host calls and module. */
export function modeTable(mode: BenchMode, ms: Measurement[], replayCost?: Record<string, number>): string[] {
  const floor = find(ms, 'floor');
  const nul = find(ms, 'null');
  const lines = [`## ${MODE_TITLE[mode]}`, '', MODE_NOTE[mode], ''];
  const hostCols = mode === 'host';
  const split = !hostCols && replayCost !== undefined;
  lines.push(`| case | CPU ns/request | ± runs | wall ns/request | net of null |${split ? ' of which host calls (est.) | module (est.) |' : ''} × floor (net) | ns over floor |${hostCols ? ' configure | memory pages (before → after) |' : ' memory pages |'} host calls per request |`);
  lines.push(`|---|---:|---:|---:|---:|${split ? '---:|---:|' : ''}---:|---:|${hostCols ? '---:|---|' : '---:|'}---|`);
  for (const m of ms) {
    let splitCols = '';
    if (split) {
      const calls = hostCallNs(m.hostCallsPerRequest, replayCost);
      const module = nul && calls !== undefined && m !== nul ? Math.round(m.nsPerRequest - nul.nsPerRequest - calls).toString() : '–';
      splitCols = ` ${calls === undefined || m === nul ? '–' : Math.round(calls)} | ${module} |`;
    }
    const net = nul && m !== nul ? Math.round(m.nsPerRequest - nul.nsPerRequest).toString() : '–';
    const ratio = floor && nul && m !== nul ? netRatio(m, floor, nul).toFixed(2) : '–';
    const over = floor && m.kind !== 'null' && m.kind !== 'floor' ? Math.round(m.nsPerRequest - floor.nsPerRequest).toString() : '–';
    const mem = hostCols
      ? ` ${Number.isNaN(m.configureMs) ? '–' : `${m.configureMs.toFixed(2)} ms`} | ${m.pagesBefore} → ${m.pagesAfter} (${m.memoryRequests.toLocaleString('en')} req) |`
      : ` ${m.pagesAfter} |`;
    const sp = spread(m);
    lines.push(`| ${m.name} | ${Math.round(m.nsPerRequest)} | ${Number.isNaN(sp) ? '–' : `${(sp * 100).toFixed(0)} %`} | ${Math.round(m.wallNsPerRequest)} | ${net} |${splitCols} ${ratio} | ${over} |${mem} ${calls(m)} |`);
  }
  lines.push('');
  if (split) {
    lines.push('One replayed host call (bench/replay-cost.ts: transition, checks, memcpy, the module\'s malloc where a value is copied in):',
      Object.entries(replayCost).map(([k, v]) => `${k.replace(/^proxy_/, '')} ${v.toFixed(0)} ns`).join(', ') + '.', '');
  }
  return lines;
}

/** Memory per route, configure time and the module's sections. */
export function footprintTable(fp: Footprint): string[] {
  const kib = (b: number) => `${(b / KiB).toFixed(1)} KiB`;
  const lines = ['## Footprint', '',
    '| measure | value |', '|---|---:|',
    `| linear memory after configuring ${fp.routes.toLocaleString('en')} native routes (fresh VM, ${(fp.configJsonBytes / 1e6).toFixed(2)} MB JSON) | ${fp.pages} pages (${(fp.pages / 16).toFixed(1)} MiB) |`,
    `| memory per route | ${Math.round(fp.bytesPerRoute).toLocaleString('en')} B |`,
    `| memory per route above an empty configuration (${fp.emptyPages} pages) | ${Math.round(fp.netBytesPerRoute).toLocaleString('en')} B |`,
    `| configure ${fp.routes.toLocaleString('en')} routes (median of ${fp.configureRunsMs.length}, same root) | ${fp.configureMs.toFixed(1)} ms |`,
    `| release .wasm | ${fp.wasmBytes.toLocaleString('en')} B (${kib(fp.wasmBytes)}) |`,
    `| code section (${fp.module.functions} functions) | ${fp.module.code.toLocaleString('en')} B (${kib(fp.module.code)}) |`,
    `| data section (${fp.module.dataSegments} segments) | ${fp.module.data.toLocaleString('en')} B (${kib(fp.module.data)}) |`,
    '', '| section | bytes |', '|---|---:|'];
  for (const s of fp.module.sections) lines.push(`| ${s.name} | ${s.bytes.toLocaleString('en')} |`);
  const d = fp.data;
  lines.push('', 'The data section by what its segments initialise (AssemblyScript object headers):', '',
    '| data | objects | bytes in the module | payload in memory |', '|---|---:|---:|---:|',
    `| strings (UTF-16; ${d.strings.ascii} all-ASCII, ${d.strings.asciiPayloadBytes.toLocaleString('en')} B payload that UTF-8 would halve) | ${d.strings.objects} | ${d.strings.fileBytes.toLocaleString('en')} | ${d.strings.payloadBytes.toLocaleString('en')} |`,
    `| array buffers | ${d.buffers.objects} | ${d.buffers.fileBytes.toLocaleString('en')} | ${d.buffers.payloadBytes.toLocaleString('en')} |`,
    `| other static objects (arrays, tables) | ${d.other.objects} | ${d.other.fileBytes.toLocaleString('en')} | ${d.other.payloadBytes.toLocaleString('en')} |`,
    `| raw static data (memory.data tables, the UTF-8 literal table among them) | ${d.raw.segments} segments | ${d.raw.fileBytes.toLocaleString('en')} | ${d.raw.payloadBytes.toLocaleString('en')} |`, '');
  return lines;
}

export function markdown(byMode: Partial<Record<BenchMode, Measurement[]>>, replayCost: Record<string, number> | undefined, fp: Footprint,
  targets: Target[], meta: Record<string, string>): string {
  const lines = ['# route-metrics benchmark', '', Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`).join('\n'), ''];
  for (const mode of ['compute', 'host'] as const) {
    const ms = byMode[mode];
    if (ms) lines.push(...modeTable(mode, ms, replayCost));
  }
  lines.push('Times are medians of the runs (CPU time: it does not count time spent waiting for a core on a shared machine); "± runs" is half the',
    'interquartile range of the runs. "× floor (net)" is the median of the run-by-run ratios (paired runs saw the same machine).',
    '"net of null" subtracts the null filter (the same callbacks, doing nothing): what any filter costs just by being there.',
    '"× floor (net)" is (case − null) / (floor − null); "ns over floor" is what route-metrics adds to the minimal filter making the same host calls.', '');
  lines.push(...footprintTable(fp));
  lines.push('## Targets (issue 14)', '', '| target | measured | limit | |', '|---|---|---|---|');
  for (const t of targets) lines.push(`| ${t.name} | ${t.value} | ${t.limit} | ${t.ok === null ? 'not measured' : t.ok ? 'met' : '**not met**'} |`);
  return lines.join('\n') + '\n';
}

/** Line chart: ns/request against route count (log x), floor and null filters as horizontal lines. */
export function svgChart(ms: Measurement[], title: string): string {
  const W = 660, H = 360, L = 70, R = 40, T = 30, B = 50;
  const floor = find(ms, 'floor');
  const nul = find(ms, 'null');
  const native = ms.filter((m) => m.kind === 'native').sort((a, b) => a.size - b.size);
  const cel = ms.filter((m) => m.kind === 'attributegen').sort((a, b) => a.size - b.size);
  const all = ms;
  const maxY = Math.max(...all.map((m) => m.nsPerRequest)) * 1.15;
  const minX = Math.log10(10), maxX = Math.log10(Math.max(10000, ...all.map((m) => m.size)));
  const x = (n: number) => L + ((Math.log10(Math.max(n, 10)) - minX) / (maxX - minX)) * (W - L - R);
  const y = (v: number) => H - B - (v / maxY) * (H - T - B);
  const path = (pts: Measurement[]) => pts.map((m, i) => `${i ? 'L' : 'M'}${x(m.size).toFixed(1)},${y(m.nsPerRequest).toFixed(1)}`).join(' ');
  const dots = (pts: Measurement[], color: string) => pts.map((m) =>
    `<circle cx="${x(m.size).toFixed(1)}" cy="${y(m.nsPerRequest).toFixed(1)}" r="3.5" fill="${color}"><title>${m.name}: ${Math.round(m.nsPerRequest)} ns</title></circle>`).join('');
  const hline = (m: Measurement | undefined, label: string) => m === undefined ? '' :
    `<line x1="${L}" x2="${W - R}" y1="${y(m.nsPerRequest)}" y2="${y(m.nsPerRequest)}" stroke="#999" stroke-dasharray="5,4"/>` +
    `<text x="${L + 6}" y="${y(m.nsPerRequest) + 15}" fill="#666">${label}: ${Math.round(m.nsPerRequest)} ns</text>`;
  const ticksX = [10, 100, 1000, 10000].map((n) => `<text x="${x(n)}" y="${H - B + 18}" text-anchor="middle">${n.toLocaleString('en')}</text><line x1="${x(n)}" x2="${x(n)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`).join('');
  const stepY = Math.pow(10, Math.floor(Math.log10(maxY / 4)));
  const ticksY: string[] = [];
  for (let v = 0; v <= maxY; v += stepY * Math.ceil(maxY / 4 / stepY)) ticksY.push(`<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text><line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${title}</text>
${ticksX}${ticksY.join('')}
<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>
<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">routes / conditions (log scale)</text>
<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">ns / request</text>
${hline(floor, 'floor filter')}${hline(nul, 'null filter')}
<path d="${path(native)}" fill="none" stroke="#1f77b4" stroke-width="2"/>${dots(native, '#1f77b4')}
<path d="${path(cel)}" fill="none" stroke="#d62728" stroke-width="2"/>${dots(cel, '#d62728')}
<text x="${L + 10}" y="${T + 14}" fill="#1f77b4">native routes</text>
<text x="${L + 10}" y="${T + 30}" fill="#d62728">attributegen CEL conditions</text>
</svg>
`;
}
