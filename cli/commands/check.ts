// `route-metrics check <config> <METHOD> <path>`: one request through the real .wasm in the
// simulated Envoy, and what it produced — the attribute value(s) in filter state, the metrics,
// and which route or condition decided it. The decision comes from the plugin itself: the CLI
// injects `debug: true` into the configuration, so the plugin logs its decision line, e.g.
//   route-metrics: GET /users/9 → istio_operationId="GET /users/{id}" (routes[2])
// and, with `services`, the service the request's host selected:
//   route-metrics: GET /users/9 (host podinfo:9898) → service "podinfo" (services[0]), istio_operationId="…" (services[0].routes[2])
import { configForm, loadConfigFiles, withDebug, type LoadedConfig } from '../config-files.ts';
import { CliError } from '../errors.ts';
import { configDiagnostics, startPlugin } from '../plugin-host.ts';
import { formatLabels, metricSamples, type MetricSample } from '../stat-names.ts';
import { out as c } from '../terminal.ts';

export interface CheckOptions {
  config: string[];
  method: string;
  path: string;
  headers?: string[];
  /** :authority of the request (default example.com, as the host sets it). */
  host?: string;
  status?: number;
  durationMs?: number;
  wasm?: string;
  /** Expected value of the route attribute. */
  expect?: string;
  /** Expect that no route matches (the attribute stays unset). */
  expectNone?: boolean;
  json?: boolean;
}

export interface CheckReport {
  config: { file: string; form: string };
  request: { method: string; path: string; host?: string; headers: [string, string][]; status: number; durationMs: number };
  /** Filter state key of the route attribute, e.g. "wasm.istio_operationId". */
  attribute: string;
  /** The route attribute's value; null when nothing was written (Istio shows `unknown`). */
  route: string | null;
  /** The config entry that decided, e.g. "routes[2]", "services[1].routes[0]" or "attributes[0].match[1]", and its text. */
  matched: { path: string; entry: unknown } | null;
  /** With `services`: the service the host selected (null: no service claims it). */
  service?: { name: string; path: string } | null;
  /** True when no route or condition matched: the attribute is unset, or holds the configured default. */
  unmatched: boolean;
  decisions: string[];
  filterState: Record<string, string>;
  metrics: MetricSample[];
  response: { status: number } | null;
  expectation?: { expected: string | null; ok: boolean };
}

/** An HTTP method is a token (RFC 9110 §9.1): letters, digits and !#$%&'*+-.^_`|~. */
const METHOD = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * The request line as Envoy would pass it to the filter: a method token and an origin-form path
 * (starting with `/`; `*` only for OPTIONS). Anything else is a usage error (exit 2): Envoy rejects
 * such a request before any filter runs, so classifying it would answer a question that never arises.
 */
export function checkRequestLine(method: string, path: string): void {
  if (!METHOD.test(method)) throw new CliError(`method ${JSON.stringify(method)}: expected an HTTP method such as GET or POST`, 2);
  if (path === '*' && method.toUpperCase() === 'OPTIONS') return;
  if (!path.startsWith('/')) {
    const hint = URL.canParse(path) && /^[a-z][a-z0-9+.-]*:\/\//i.test(path)
      ? `give the path alone, e.g. ${JSON.stringify(new URL(path).pathname + new URL(path).search)}; the host goes in -H host=…`
      : `did you mean ${JSON.stringify(`/${path}`)}?`;
    throw new CliError(`path ${JSON.stringify(path)}: a request path starts with "/" (${hint})`, 2);
  }
}

function parseHeader(h: string): [string, string] {
  const i = h.search(/[=:]/);
  if (i <= 0) throw new CliError(`--header ${JSON.stringify(h)}: expected name=value`, 2);
  return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
}

/** The filter-state key of the attribute that names the route. */
function routeAttribute(json: string | undefined): string {
  try {
    const v = JSON.parse(json ?? '{}');
    if (Array.isArray(v.attributes)) {
      const names: string[] = v.attributes.map((a: Record<string, unknown>) => String(a.output_attribute ?? a.outputAttribute ?? ''));
      return `wasm.${names.includes('istio_operationId') ? 'istio_operationId' : names[0] ?? 'istio_operationId'}`;
    }
    return `wasm.${typeof v.output_attribute === 'string' ? v.output_attribute : 'istio_operationId'}`;
  } catch {
    return 'wasm.istio_operationId';
  }
}

/** The config entry a decision line points at: "(routes[2])" or "(attributes[0].match[1])". */
function matchedEntry(json: string | undefined, decisions: string[]): CheckReport['matched'] {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(json ?? '{}');
  } catch {
    return null;
  }
  for (const line of decisions) {
    let m = /\((?:services\[(\d+)\]\.)?routes\[(\d+)\]\)$/.exec(line);
    if (m) {
      const owner = m[1] === undefined ? config : ((config.services as Record<string, unknown>[] | undefined)?.[Number(m[1])] ?? {});
      const routes = owner.routes as unknown[] | undefined;
      return { path: `${m[1] === undefined ? '' : `services[${m[1]}].`}routes[${m[2]}]`, entry: routes?.[Number(m[2])] ?? null };
    }
    m = /\(attributes\[(\d+)\]\.match\[(\d+)\]\)$/.exec(line);
    if (m) {
      const attrs = config.attributes as { match?: unknown[] }[] | undefined;
      return { path: `attributes[${m[1]}].match[${m[2]}]`, entry: attrs?.[Number(m[1])]?.match?.[Number(m[2])] ?? null };
    }
  }
  return null;
}

/** The service a decision line names: `→ service "cart" (services[1])`, or null for `no service claims the host`. */
function decidedService(decisions: string[]): CheckReport['service'] {
  for (const line of decisions) {
    const m = /\) → service "((?:[^"\\]|\\.)*)" \((services\[\d+\])\)/.exec(line);
    if (m) return { name: m[1]!, path: m[2]! };
    if (/\) → no service claims the host/.test(line)) return null;
  }
  return undefined;
}

/** The native `default` ("no route matched; … (default)") or an attributegen match with an empty condition decided. */
function isDefault(matched: CheckReport['matched'], decisions: string[]): boolean {
  if (decisions.some((d) => /(no route matched|no service claims the host); .*\(default\)$/.test(d))) return true;
  const entry = matched?.entry as { condition?: unknown } | null | undefined;
  return matched !== null && matched.path.startsWith('attributes[') && String(entry?.condition ?? '').trim() === '';
}

export async function runCheck(opts: CheckOptions): Promise<{ report: CheckReport; exitCode: number }> {
  checkRequestLine(opts.method, opts.path);
  const loaded: LoadedConfig = loadConfigFiles(opts.config);
  const headers = (opts.headers ?? []).map(parseHeader);
  if (opts.host !== undefined && headers.some(([k]) => k.toLowerCase() === 'host' || k.toLowerCase() === ':authority')) {
    throw new CliError('--host and a host / :authority header both set the request\'s authority: give one of them', 2);
  }
  const status = opts.status ?? 200;
  const durationMs = opts.durationMs ?? 12;
  const host = await startPlugin(loaded, { wasm: opts.wasm, pluginConfig: withDebug(loaded.pluginConfig) });
  // As strict as before the plugin ran configurations with errors: any config error fails.
  const d = configDiagnostics(host);
  if (!host.configured || d.errors.length > 0) {
    host.stop();
    const verdict = host.configured ? 'configuration has errors (a proxy would run it without the parts at fault)' : 'configuration rejected';
    throw new CliError(`${loaded.pluginSource}: ${verdict}`, 1, [...d.errors, ...d.summary, ...d.envoy]);
  }
  host.clearLogs();
  const r = host.request({ method: opts.method, path: opts.path, authority: opts.host, headers, status, durationMs });
  const decisions = r.logs.filter((l) => l.source === 'plugin' && l.message.startsWith('route-metrics: ')).map((l) => l.message);
  const attribute = routeAttribute(loaded.pluginConfig);
  const route = r.filterState[attribute] ?? null;
  const matched = matchedEntry(loaded.pluginConfig, decisions);
  const report: CheckReport = {
    config: { file: loaded.pluginSource!, form: configForm(loaded.pluginConfig) },
    request: { method: opts.method, path: opts.path, ...(opts.host !== undefined ? { host: opts.host } : {}), headers, status, durationMs },
    attribute,
    route,
    matched,
    unmatched: route === null || isDefault(matched, decisions),
    ...(decidedService(decisions) !== undefined ? { service: decidedService(decisions) } : {}),
    decisions,
    filterState: r.filterState,
    metrics: metricSamples(host.metrics).filter((m) => m.value > 0),
    response: r.response ? { status: r.response.status } : null,
  };
  host.stop();
  let exitCode = 0;
  if (opts.expect !== undefined || opts.expectNone) {
    const expected = opts.expectNone ? null : opts.expect!;
    // --expect-none: no route matched, whether the attribute stays unset or gets the default.
    const ok = opts.expectNone ? report.unmatched : route === expected;
    report.expectation = { expected, ok };
    if (!ok) exitCode = 1;
  }
  return { report, exitCode };
}

export function formatCheck(r: CheckReport): string {
  const lines: string[] = [];
  const kv = (k: string, v: string) => lines.push(`${c.dim(k.padEnd(10))} ${v}`);
  kv('config', `${r.config.file} (${r.config.form} form)`);
  const hdrs = r.request.headers.length ? `  ${r.request.headers.map(([k, v]) => `${k}: ${v}`).join(', ')}` : '';
  const on = r.request.host !== undefined ? ` on ${r.request.host}` : '';
  kv('request', `${r.request.method} ${r.request.path}${on}${hdrs}  → response ${r.request.status} in ${r.request.durationMs} ms`);
  if (r.service !== undefined) kv('service', r.service === null ? c.yellow('(no service claims the host: destination_service_name="unknown")') : `${c.bold(JSON.stringify(r.service.name))} ${c.dim(`(${r.service.path})`)}`);
  kv('route', r.route === null ? c.yellow('(no route matched: attribute unset, Istio shows "unknown")') : c.bold(c.green(JSON.stringify(r.route))) + c.dim(`  (${r.attribute})`));
  if (r.matched) kv('matched', `${r.matched.path} ${JSON.stringify(r.matched.entry)}`);
  for (const d of r.decisions) kv('decision', d.replace(/^route-metrics: /, ''));
  const fs = Object.entries(r.filterState);
  if (fs.length > 0) {
    lines.push(c.dim('filter state'));
    for (const [k, v] of fs) lines.push(`  ${k} = ${JSON.stringify(v)}`);
  }
  lines.push(c.dim('metrics'));
  if (r.metrics.length === 0) lines.push('  (none)');
  for (const m of r.metrics) {
    const series = `${m.name}${formatLabels(m.labels)}`;
    lines.push(m.type === 'histogram' ? `  ${series} histogram: ${m.value} sample(s) [${m.samples!.join(', ')}]` : `  ${series} ${m.value}`);
  }
  if (r.expectation) {
    const want = r.expectation.expected === null ? 'no match' : JSON.stringify(r.expectation.expected);
    const got = r.route === null ? 'no match' : `${JSON.stringify(r.route)}${r.unmatched ? ' (the default: no route matched)' : ''}`;
    lines.push(r.expectation.ok ? c.green(`expectation met: ${want}`) : c.red(`expectation FAILED: wanted ${want}, got ${got}`));
  }
  return lines.join('\n');
}
