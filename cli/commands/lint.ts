// `route-metrics lint <config…>`: what a user deploys, checked three ways —
//   1. the WasmPlugin and Telemetry resources themselves, by the rules of Istio's CRDs
//      (analysis/manifest-rules.ts), with the field path of each problem;
//   2. the plugin's own verdict on its configuration (the real .wasm's proxy_on_configure: its
//      "config error:" / "config warning:" lines, with JSON paths), plus analysis/lint-rules.ts;
//   3. for native routes, reachability asked of the same loaded plugin (analysis/reachability.ts):
//      candidate requests per route, sent through an isolation configuration and then through the
//      user's configuration with debug on, whose decision lines name the route that won.
// Exit codes: 0 clean (infos allowed), 1 errors (or warnings with --strict), 2 usage.
// The plugin runs a configuration with errors minus the parts at fault (unless "strict": true),
// so a config error fails lint whether or not the plugin accepted it: lint is the gate, before
// `kubectl apply`; `--strict` makes warnings fail too.
import type { SimulatedEnvoy } from '../../host/index.ts';
import { loadConfigFiles, withDebug, type LoadedConfig } from '../config-files.ts';
import { ConfigFileError } from '../errors.ts';
import { cardinality, formatCardinality, overBudgetMessage, type CardinalityReport } from '../analysis/cardinality.ts';
import { lintConfig, type Finding } from '../analysis/lint-rules.ts';
import { checkManifest, manifestLabel } from '../analysis/manifest-rules.ts';
import { isolationConfig, planProbes, probeHeader, reachabilityFindings } from '../analysis/reachability.ts';
import { serviceFindings } from '../analysis/service-reachability.ts';
import type { ProbeRequest } from '../analysis/probe-requests.ts';
import { configDiagnostics, diagnosticPath, startPlugin, type ConfigDiagnostics } from '../plugin-host.ts';
import { out as c } from '../terminal.ts';

export interface LintOptions {
  config: string[];
  wasm?: string;
  strict?: boolean;
  json?: boolean;
  /** Pods running the plugin, for the series count (default 1). */
  pods?: number;
  /** Warn when the series of `pods` pods exceed this (default DEFAULT_MAX_SERIES). */
  maxSeries?: number;
}

export interface LintReport {
  file: string;
  /** Whether the plugin loads it (true also when it has errors, unless it sets "strict": true); null when the files hold no plugin configuration (a Telemetry alone). */
  accepted: boolean | null;
  /** clean: no plugin error; degraded: loaded without the parts at fault; rejected: not loaded; null: no plugin configuration. */
  verdict: 'clean' | 'degraded' | 'rejected' | null;
  /** The plugin's summary line when there were errors (what it dropped, or the rejection). */
  summary: string | null;
  findings: Finding[];
  counts: Record<Finding['level'], number>;
  /** The series the configuration creates (null without a plugin configuration in JSON). */
  cardinality: CardinalityReport | null;
}

const PLUGIN_LINE = /^route-metrics: config (error|warning): /;

function manifestFindings(loaded: LoadedConfig): Finding[] {
  const several = new Set(loaded.manifests.map((m) => m.file)).size > 1;
  return loaded.manifests.flatMap((m) => checkManifest(m.doc).map((p): Finding => ({
    level: p.level,
    path: p.path,
    message: p.message,
    source: `${manifestLabel(m.doc)}${several ? ` (${m.file})` : ''}`,
  })));
}

function pluginFindings(host: SimulatedEnvoy, d: ConfigDiagnostics): Finding[] {
  const findings: Finding[] = [];
  for (const line of d.errors) {
    findings.push({ level: 'error', path: diagnosticPath(line), message: line.replace(PLUGIN_LINE, '').replace(/^route-metrics: /, '') });
  }
  if (!host.configured && findings.length === 0) {
    // Rejected without a config error line (e.g. the module failed to load): Envoy's chain explains.
    for (const m of d.envoy) findings.push({ level: 'error', path: '', message: m });
  }
  for (const line of d.warnings) {
    findings.push({ level: 'warning', path: diagnosticPath(line), message: line.replace(PLUGIN_LINE, '').replace(/^route-metrics: /, '') });
  }
  return findings;
}

const DECISION = /\(routes\[(\d+)\]\)$/;

/** Reachability of native routes, asked of `host` (reconfigured twice; stopped by the caller). */
function probeFindings(host: SimulatedEnvoy, json: string | undefined): Finding[] {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(json ?? '');
  } catch {
    return [];
  }
  if (typeof config !== 'object' || config === null) return [];
  const send = (q: ProbeRequest, extra: [string, string][] = []) =>
    host.request({ method: q.method, path: q.path, authority: q.authority, scheme: q.scheme, headers: [...q.headers, ...extra], status: 200, durationMs: 1 });
  if (Array.isArray(config.services)) {
    let sent = 0;
    return serviceFindings(config, { ...config, debug: true }, (c) => host.reconfigure(c), (q, extra) => {
      // Logs accumulate on the host as well as on the result: keep memory flat on large configurations.
      if (++sent % 1000 === 0) host.clearLogs();
      const r = send(q, extra);
      return { decisions: r.logs.filter((l) => l.source === 'plugin').map((l) => l.message), operation: r.filterState['wasm.istio_operationId'] };
    });
  }
  if (!Array.isArray(config.routes) || config.routes.length === 0) return [];
  const plan = planProbes(config);

  if (!host.reconfigure(isolationConfig(config))) {
    return [{ level: 'info', path: 'routes', message: 'reachability not checked: the plugin rejected the probe configuration (one more header condition per route)' }];
  }
  const matches = plan.candidates.map((list) => list.filter((q) => send(q, [probeHeader(q)]).filterState['wasm.istio_operationId'] === String(q.route)));

  if (!host.reconfigure(withDebug(json))) return [];
  host.clearLogs();
  let sent = 0;
  const winners = matches.map((list) => list.map((q) => {
    const r = send(q);
    // Logs accumulate on the host as well as on the result: keep memory flat on large configurations.
    if (++sent % 1000 === 0) host.clearLogs();
    for (const l of r.logs) {
      const m = l.source === 'plugin' ? DECISION.exec(l.message) : null;
      if (m) return Number(m[1]);
    }
    return null;
  }));
  return reachabilityFindings(plan, matches, winners);
}

export async function runLint(opts: LintOptions): Promise<{ report: LintReport; exitCode: number }> {
  const loaded = loadConfigFiles(opts.config, { requirePlugin: false });
  if (loaded.pluginSource === undefined && loaded.manifests.length === 0) {
    throw new ConfigFileError(`${opts.config.join(', ')}: nothing to lint (no plugin configuration, WasmPlugin or Telemetry)`);
  }
  const findings = manifestFindings(loaded);
  let accepted: boolean | null = null;
  let verdict: LintReport['verdict'] = null;
  let summary: string | null = null;
  let series: CardinalityReport | null = null;
  if (loaded.pluginSource !== undefined) {
    const host = await startPlugin(loaded, { wasm: opts.wasm });
    try {
      accepted = host.configured;
      const d = configDiagnostics(host);
      verdict = !host.configured ? 'rejected' : d.errors.length > 0 ? 'degraded' : 'clean';
      summary = d.summary.length > 0 ? d.summary[0]!.replace(/^route-metrics: /, '') : null;
      findings.push(...pluginFindings(host, d));
      findings.push(...lintConfig(loaded.pluginConfig));
      if (host.configured) findings.push(...probeFindings(host, loaded.pluginConfig));
    } finally {
      host.stop();
    }
    series = cardinality(loaded.pluginConfig, loaded.telemetry, { pods: opts.pods, maxSeries: opts.maxSeries }) ?? null;
    if (series?.over) findings.push({ level: 'warning', path: '', message: `cardinality: ${overBudgetMessage(series)}` });
  }
  // The plugin's message already starts with the path; keep it once.
  for (const f of findings) if (f.path && f.message.startsWith(`${f.path}: `)) f.message = f.message.slice(f.path.length + 2);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.level]++;
  const exitCode = counts.error > 0 || (opts.strict && counts.warning > 0) ? 1 : 0;
  const file = loaded.pluginSource ?? loaded.telemetrySource ?? opts.config[0]!;
  return { report: { file, accepted, verdict, summary, findings, counts, cardinality: series }, exitCode };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatLint(r: LintReport): string {
  const colour = { error: c.red, warning: c.yellow, info: c.cyan };
  const verdicts = {
    clean: 'accepted by the plugin',
    degraded: c.red('errors: the plugin would run it without the parts at fault ("strict": true rejects it)'),
    rejected: c.red('rejected by the plugin'),
  };
  const lines: string[] = [`${c.bold(r.file)}: ${r.verdict === null ? 'no plugin configuration' : verdicts[r.verdict]}`];
  if (r.summary !== null && r.verdict === 'degraded') lines.push(`  ${c.dim(r.summary)}`);
  const order = { error: 0, warning: 1, info: 2 };
  const sorted = [...r.findings].sort((a, b) => order[a.level] - order[b.level]);
  for (const f of sorted) {
    const where = `${f.source ? c.dim(f.source) + ' ' : ''}${f.path ? c.bold(f.path) + ': ' : f.source ? ': ' : ''}`;
    lines.push(`  ${colour[f.level](f.level.padEnd(7))} ${where}${f.message}`);
    if (f.suggestion !== undefined) {
      const json = JSON.stringify(f.suggestion, null, 2).split('\n');
      const text = json.length > 40 ? [...json.slice(0, 40), `… (${json.length - 40} more lines; --json prints all)`] : json;
      for (const l of text) lines.push(`            ${c.dim(l)}`);
    }
  }
  if (r.cardinality) for (const l of formatCardinality(r.cardinality)) lines.push(c.dim(l));
  const { error, warning, info } = r.counts;
  lines.push(`${plural(error, 'error')}, ${plural(warning, 'warning')}, ${plural(info, 'info')}`);
  return lines.join('\n');
}
