// `route-metrics serve` (and `npm start`): a local stand-in for a meshed workload. The real .wasm
// runs in one long-lived simulated Envoy in front of an upstream — by default the built-in
// podinfo-like sample app with examples/config/wasmplugin-local.yaml and telemetry-local.yaml —
// and an admin port serves /stats/prometheus like Envoy's :15090, so a real Prometheus can
// scrape it. Order matters: the configuration is validated (the plugin's own verdict) before
// anything listens, so a bad config exits non-zero without opening a port.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { SimulatedEnvoy, type IstioOptions, type WasmPluginPhase } from '../../host/index.ts';
import { startAdminServer } from '../mesh/admin-server.ts';
import { configForm, loadConfigFiles, type LoadedConfig } from '../config-files.ts';
import { DevProxy, type StreamRecord } from '../mesh/dev-proxy.ts';
import { formatAddress, listenFailure, parseAddress, requireLoopback, type Address } from '../mesh/listen-address.ts';
import { CliError } from '../errors.ts';
import { DEFAULT_PLUGIN_FILE, DEFAULT_TELEMETRY_FILE } from '../paths.ts';
import { configDiagnostics, startOptions } from '../plugin-host.ts';
import { filterOverhead, formatSummary } from '../mesh/route-summary.ts';
import { SAMPLE_APP_NAME, startSampleApp } from '../mesh/sample-app.ts';
import { err, out as c } from '../terminal.ts';
import { runTraffic, serviceHosts } from '../mesh/traffic.ts';


export interface ServeOptions {
  config?: string[];
  upstream?: string;
  listen?: string;
  admin?: string;
  app?: string;
  wasm?: string;
  traffic?: number;
  exit?: boolean;
  allowRemote?: boolean;
  /** destination_app (and workload/service) on Istio's metrics. */
  destinationApp?: string;
  /** Route timeout in ms (Envoy's default 15000; 0 = none). */
  upstreamTimeout?: number;
}

export interface RunningServe {
  proxyPort: number;
  adminPort: number;
  appPort: number | null;
  envoy: SimulatedEnvoy;
  proxy: DevProxy;
  /** Host headers `--traffic` sends in turn: one per service of a `services` configuration (empty when flat). */
  trafficHosts: string[];
  shutdown(reason: string): Promise<void>;
}

const rel = (p: string) => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
};

function resolveFiles(opts: ServeOptions): { files: string[]; defaulted: boolean } {
  const given = (opts.config ?? []).flatMap((c) => c.split(',')).map((s) => s.trim()).filter(Boolean);
  if (given.length > 0) return { files: given, defaulted: false };
  return { files: [DEFAULT_PLUGIN_FILE, DEFAULT_TELEMETRY_FILE], defaulted: true };
}

function istioOptions(loaded: LoadedConfig, app: string): IstioOptions {
  const ns = loaded.wasmPlugin?.namespace ?? 'default';
  const phase = loaded.wasmPlugin?.phase;
  const pluginPhase: WasmPluginPhase = phase === 'AUTHZ' || phase === 'STATS' || phase === 'UNSPECIFIED_PHASE' ? phase : 'AUTHN';
  return {
    // A sidecar's inbound side, the way the podinfo tutorial queries it (reporter="destination").
    reporter: 'destination',
    destination: {
      app,
      workload: app,
      namespace: ns,
      canonicalService: app,
      service: `${app}.${ns}.svc.cluster.local`,
      serviceName: app,
      serviceNamespace: ns,
    },
    pluginPhase,
    telemetry: loaded.telemetry as IstioOptions['telemetry'],
  };
}

/** Validates the configuration, then starts app, proxy and admin. Throws CliError before listening on a bad config. */
export async function startServe(opts: ServeOptions, log: (line: string) => void = (l) => console.log(l)): Promise<RunningServe> {
  const allowRemote = opts.allowRemote ?? false;
  const listenAt = parseAddress(opts.listen ?? '127.0.0.1:15001', '--listen');
  const adminAt = parseAddress(opts.admin ?? '127.0.0.1:15090', '--admin');
  const appAt = opts.upstream ? null : parseAddress(opts.app ?? '127.0.0.1:9898', '--app');
  requireLoopback(listenAt, '--listen', allowRemote);
  requireLoopback(adminAt, '--admin', allowRemote);
  if (appAt) requireLoopback(appAt, '--app', allowRemote);
  let upstream: URL | null = null;
  if (opts.upstream) {
    try {
      upstream = new URL(opts.upstream.includes('://') ? opts.upstream : `http://${opts.upstream}`);
    } catch {
      throw new CliError(`--upstream ${JSON.stringify(opts.upstream)}: not a URL (expected http://host:port)`, 2);
    }
    if (upstream.protocol !== 'http:') throw new CliError(`--upstream ${opts.upstream}: only http:// upstreams are supported`, 2);
  }

  // 1. The configuration, judged by the plugin itself — before any port is opened.
  const { files, defaulted } = resolveFiles(opts);
  const loaded = loadConfigFiles(files);
  let telemetrySource = loaded.telemetrySource;
  if (!loaded.telemetry) {
    // Without a Telemetry the route never reaches istio_* labels; the local one is what the tutorial uses.
    const t = loadConfigFiles([DEFAULT_TELEMETRY_FILE], { requirePlugin: false });
    loaded.telemetry = t.telemetry;
    telemetrySource = `${DEFAULT_TELEMETRY_FILE} (default)`;
  }
  const app = opts.destinationApp ?? SAMPLE_APP_NAME;
  let envoy: SimulatedEnvoy;
  const hostOpts = startOptions(loaded, { wasm: opts.wasm, host: { istio: istioOptions(loaded, app), maxLogs: 20_000 } });
  try {
    envoy = await SimulatedEnvoy.start(hostOpts);
  } catch (e) {
    // Istio would refuse the Telemetry (TelemetryError) / Envoy the bootstrap: nothing starts.
    const where = (e as Error).name === 'TelemetryError' ? telemetrySource : loaded.pluginSource;
    throw new CliError(`${where}: rejected: ${(e as Error).message}`);
  }
  const diags = configDiagnostics(envoy);
  if (!envoy.configured) {
    throw new CliError(`${loaded.pluginSource}: configuration rejected by the plugin; not listening`, 1, [...diags.errors, ...diags.summary, ...diags.envoy]);
  }
  // Like a proxy, serve runs a configuration with errors without the parts at fault (`lint` and
  // `check` are the strict gates); the errors go first and in red, and the banner says DEGRADED.
  for (const e of [...diags.errors, ...diags.summary]) console.error(err.red(e));
  for (const w of diags.warnings) console.error(err.yellow(w));
  for (const w of envoy.telemetryWarnings) console.error(err.yellow(`telemetry: ${w}`));

  // 2. Listeners: app (the upstream), proxy, admin. Any failure closes what was opened.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  let appPort: number | null = null;
  try {
    if (appAt) {
      const sample = await startSampleApp(appAt.host, appAt.port).catch((e) => { throw listenFailure(e, '--app', 'ROUTE_METRICS_APP'); });
      closers.push(() => sample.close());
      appPort = sample.port;
      upstream = new URL(`http://${formatAddress({ host: appAt.host, port: appPort })}`);
    }
    const routeAttribute = routeAttributeOf(loaded.pluginConfig);
    const proxy = new DevProxy({ envoy, upstream: upstream!, routeAttribute, routeTimeoutMs: opts.upstreamTimeout });
    const proxyPort = await proxy.listen(listenAt.host, listenAt.port).catch((e) => { throw listenFailure(e, '--listen', 'ROUTE_METRICS_LISTEN'); });
    closers.push(() => proxy.close());
    const wasmPath = String(hostOpts.wasm);
    const wasmBytes = readFileSync(wasmPath);
    const startedAt = new Date().toISOString();
    const admin: Awaited<ReturnType<typeof startAdminServer>> = await startAdminServer(
      {
        envoy,
        configDump: () => ({
          startedAt,
          module: { path: wasmPath, bytes: wasmBytes.length, sha256: createHash('sha256').update(wasmBytes).digest('hex') },
          plugin: { source: loaded.pluginSource, rootId: hostOpts.rootId, pluginName: hostOpts.pluginName, form: configForm(loaded.pluginConfig), configuration: safeParse(loaded.pluginConfig) },
          telemetry: { source: telemetrySource, resource: loaded.telemetry ?? null },
          listeners: { proxy: `http://${formatAddress({ host: listenAt.host, port: proxyPort })}`, admin: `http://${formatAddress({ host: adminAt.host, port: adminPort })}`, upstream: upstream!.toString() },
          streams: { completed: proxy.completed, active: proxy.activeStreams },
          configErrors: [...diags.errors, ...diags.summary],
          vm: { configured: envoy.configured, failed: envoy.failed, memoryPages: envoy.memoryPages(), hostCalls: envoy.hostCallCounts },
        }),
      },
      adminAt.host,
      adminAt.port,
    ).catch((e) => { throw listenFailure(e, '--admin', 'ROUTE_METRICS_ADMIN'); });
    const adminPort = admin.port;
    closers.push(() => admin.close());

    const proxyUrl = `http://${formatAddress({ host: listenAt.host, port: proxyPort })}`;
    const adminUrl = `http://${formatAddress({ host: adminAt.host, port: adminPort })}`;
    log(c.bold(`route-metrics dev proxy — ${rel(wasmPath)} in a simulated Envoy`));
    log(`  plugin     ${rel(loaded.pluginSource!)}${defaulted ? ' (default)' : ''}: ${pluginSummary(envoy)}`);
    if (diags.errors.length > 0) {
      log(c.red(`  DEGRADED   ${diags.errors.length} config error(s) (on stderr): the plugin runs without the invalid parts; route_config_errors ${diags.errors.length}`));
    }
    log(`  telemetry  ${telemetrySource ? rel(telemetrySource.replace(/ \(default\)$/, '')) + (telemetrySource.endsWith('(default)') ? ' (default)' : '') : '(none)'}`);
    if (appPort !== null) log(`  app        ${upstream!.origin}  (built-in podinfo-like sample app)`);
    log(`  proxy      ${proxyUrl}  → ${upstream!.origin}${upstream!.pathname === '/' ? '' : upstream!.pathname}`);
    log(`  admin      ${adminUrl}  (/stats/prometheus, /healthz, /config_dump, /logs)`);
    log('send traffic and watch the metrics:');
    log(`  curl ${proxyUrl}/healthz`);
    log(`  curl -X POST -d '{"hello":"world"}' ${proxyUrl}/echo`);
    log(`  curl ${proxyUrl}/users/1`);
    log(`  curl -s ${adminUrl}/stats/prometheus | grep -E '^(route_requests_total|istio_requests_total)'`);
    log(`ready: proxy=${proxyUrl} admin=${adminUrl}${appPort !== null ? ` app=${upstream!.origin}` : ''}`);

    let shuttingDown: Promise<void> | null = null;
    return {
      proxyPort,
      adminPort,
      appPort,
      envoy,
      proxy,
      trafficHosts: serviceHosts(loaded.pluginConfig),
      shutdown(reason: string) {
        shuttingDown ??= (async () => {
          log(`${reason}: stopping (${proxy.activeStreams} request(s) in flight)`);
          await proxy.close(); // stop accepting, finish in-flight exchanges
          envoy.stop(); // on_done → on_delete of the plugin's root context
          await closeAll();
          log(`stopped after ${proxy.completed} request(s)`);
        })();
        return shuttingDown;
      },
    };
  } catch (e) {
    await closeAll();
    envoy.stop();
    throw e instanceof CliError ? e : new CliError((e as Error).message);
  }
}

function routeAttributeOf(json: string | undefined): string {
  const v = safeParse(json) as { output_attribute?: unknown; attributes?: { output_attribute?: unknown; outputAttribute?: unknown }[] } | null;
  if (v && Array.isArray(v.attributes)) {
    const names = v.attributes.map((a) => String(a.output_attribute ?? a.outputAttribute ?? ''));
    return `wasm.${names.includes('istio_operationId') ? 'istio_operationId' : names[0] || 'istio_operationId'}`;
  }
  return `wasm.${typeof v?.output_attribute === 'string' ? v.output_attribute : 'istio_operationId'}`;
}

function safeParse(json: string | undefined): unknown {
  try {
    return json === undefined ? null : JSON.parse(json);
  } catch {
    return json;
  }
}

function pluginSummary(envoy: SimulatedEnvoy): string {
  const line = envoy.logs.find((l) => l.message.startsWith('route-metrics: configured: '));
  return line ? line.message.replace('route-metrics: configured: ', '') : 'configured';
}

/** The command: start, optional --traffic run and summary, then serve until SIGINT/SIGTERM (or --exit). */
export async function runServe(opts: ServeOptions): Promise<number> {
  const running = await startServe(opts);
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const onSignal = (sig: NodeJS.Signals) => {
    void running.shutdown(`received ${sig}`).then(resolveDone);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  if (opts.traffic && opts.traffic > 0) {
    const records: StreamRecord[] = [];
    const unsubscribe = running.proxy.onRecord((r) => records.push(r));
    const base = new URL(`http://127.0.0.1:${running.proxyPort}`);
    const listenHost = parseAddress(opts.listen ?? '127.0.0.1:15001', '--listen').host;
    if (listenHost !== '0.0.0.0' && listenHost !== '::') base.hostname = listenHost.includes(':') ? `[${listenHost}]` : listenHost;
    if (running.trafficHosts.length > 0) console.log(`traffic: Host headers in turn: ${running.trafficHosts.join(', ')} (one per service, and one no service claims)`);
    const t = await runTraffic(base, opts.traffic, 8, running.trafficHosts);
    unsubscribe();
    console.log(`\nsent ${t.sent} requests in ${(t.elapsedMs / 1000).toFixed(1)} s${t.failed ? ` (${t.failed} failed at the client)` : ''}`);
    console.log(formatSummary(records));
    const o = filterOverhead(records);
    console.log(`time in the simulated Envoy + Wasm filter per request: p50 ${o.p50.toFixed(0)} µs, p99 ${o.p99.toFixed(0)} µs, mean ${o.mean.toFixed(0)} µs`);
    if (opts.exit) await running.shutdown('--exit');
    else console.log(`still serving; metrics at http://127.0.0.1:${running.adminPort}/stats/prometheus (Ctrl-C to stop)`);
  } else if (opts.exit) {
    await running.shutdown('--exit');
  }
  if (!opts.exit) await done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return 0;
}
