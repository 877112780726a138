// `route-metrics lint <config>`: the plugin's own verdict (the real .wasm's proxy_on_configure:
// its "config error:" / "config warning:" lines, with JSON paths) plus analysis/lint-rules.ts findings.
// Exit codes: 0 clean (infos allowed), 1 errors (or warnings with --strict), 2 usage.
// The plugin runs a configuration with errors minus the parts at fault (unless "strict": true),
// so a config error fails lint whether or not the plugin accepted it: lint is the gate, before
// `kubectl apply`; `--strict` makes warnings fail too.
import { loadConfigFiles } from '../config-files.ts';
import { lintConfig, type Finding } from '../analysis/lint-rules.ts';
import { configDiagnostics, diagnosticPath, startPlugin } from '../plugin-host.ts';
import { out as c } from '../terminal.ts';

export interface LintOptions {
  config: string[];
  wasm?: string;
  strict?: boolean;
  json?: boolean;
}

export interface LintReport {
  file: string;
  /** Whether the plugin loads it (true also when it has errors, unless it sets "strict": true). */
  accepted: boolean;
  /** clean: no plugin error; degraded: loaded without the parts at fault; rejected: not loaded. */
  verdict: 'clean' | 'degraded' | 'rejected';
  /** The plugin's summary line when there were errors (what it dropped, or the rejection). */
  summary: string | null;
  findings: Finding[];
  counts: Record<Finding['level'], number>;
}

const PLUGIN_LINE = /^route-metrics: config (error|warning): /;

export async function runLint(opts: LintOptions): Promise<{ report: LintReport; exitCode: number }> {
  const loaded = loadConfigFiles(opts.config);
  const host = await startPlugin(loaded, { wasm: opts.wasm });
  const d = configDiagnostics(host);
  host.stop();
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
  findings.push(...lintConfig(loaded.pluginConfig));
  // The plugin's message already starts with the path; keep it once.
  for (const f of findings) if (f.path && f.message.startsWith(`${f.path}: `)) f.message = f.message.slice(f.path.length + 2);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.level]++;
  const exitCode = counts.error > 0 || (opts.strict && counts.warning > 0) ? 1 : 0;
  const verdict = !host.configured ? 'rejected' : d.errors.length > 0 ? 'degraded' : 'clean';
  const summary = d.summary.length > 0 ? d.summary[0].replace(/^route-metrics: /, '') : null;
  return { report: { file: loaded.pluginSource!, accepted: host.configured, verdict, summary, findings, counts }, exitCode };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatLint(r: LintReport): string {
  const colour = { error: c.red, warning: c.yellow, info: c.cyan };
  const verdicts = {
    clean: 'accepted by the plugin',
    degraded: c.red('errors: the plugin would run it without the parts at fault ("strict": true rejects it)'),
    rejected: c.red('rejected by the plugin'),
  };
  const lines: string[] = [`${c.bold(r.file)}: ${verdicts[r.verdict]}`];
  if (r.summary !== null && r.verdict === 'degraded') lines.push(`  ${c.dim(r.summary)}`);
  const order = { error: 0, warning: 1, info: 2 };
  const sorted = [...r.findings].sort((a, b) => order[a.level] - order[b.level]);
  for (const f of sorted) {
    lines.push(`  ${colour[f.level](f.level.padEnd(7))} ${f.path ? c.bold(f.path) + ': ' : ''}${f.message}`);
    if (f.suggestion !== undefined) {
      const json = JSON.stringify(f.suggestion, null, 2).split('\n');
      const text = json.length > 40 ? [...json.slice(0, 40), `… (${json.length - 40} more lines; --json prints all)`] : json;
      for (const l of text) lines.push(`            ${c.dim(l)}`);
    }
  }
  const { error, warning, info } = r.counts;
  lines.push(`${plural(error, 'error')}, ${plural(warning, 'warning')}, ${plural(info, 'info')}`);
  return lines.join('\n');
}
