// Starts the real route-metrics .wasm in the simulated Envoy with a configuration loaded by
// config-files.ts, and sorts the plugin's log into the messages a user needs when it is rejected.
import { existsSync } from 'node:fs';
import { SimulatedEnvoy, type StartOptions } from '../host/index.ts';
import type { LoadedConfig } from './config-files.ts';
import { CliError } from './errors.ts';
import { DEFAULT_WASM } from './paths.ts';

export function resolveWasm(path: string | undefined): string {
  const wasm = path ?? DEFAULT_WASM;
  if (!existsSync(wasm)) {
    throw new CliError(`${wasm}: no such file${path === undefined ? ' (run `npm run build` first)' : ''}`);
  }
  return wasm;
}

export interface PluginStartOptions {
  wasm?: string;
  /** Replaces loaded.pluginConfig (e.g. with debug: true injected). */
  pluginConfig?: string;
  /** Extra host options (stats, istio metadata, …). */
  host?: Partial<StartOptions>;
}

/** The options SimulatedEnvoy.start gets for a loaded configuration. */
export function startOptions(loaded: LoadedConfig, opts: PluginStartOptions = {}): StartOptions {
  return {
    wasm: resolveWasm(opts.wasm),
    pluginConfig: opts.pluginConfig ?? loaded.pluginConfig,
    rootId: loaded.rootId ?? 'route-metrics',
    pluginName: loaded.envoyPluginName,
    failStrategy: loaded.failStrategy,
    env: loaded.env,
    // Envoy's default log level for the wasm component is info; trace/debug lines are not kept.
    logLevel: 'info',
    ...opts.host,
  };
}

export async function startPlugin(loaded: LoadedConfig, opts: PluginStartOptions = {}): Promise<SimulatedEnvoy> {
  return SimulatedEnvoy.start(startOptions(loaded, opts));
}

export interface ConfigDiagnostics {
  /** "route-metrics: config error: routes[3].path: …" lines, as the plugin logged them. */
  errors: string[];
  warnings: string[];
  /**
   * The plugin's verdict line when there were errors: "configuration rejected (…)" ("strict": true)
   * or "configuration accepted with N errors; dropped: …" (the default policy runs what is valid).
   */
  summary: string[];
  /** Envoy's own chain when the plugin was rejected ("Failed to configure base Wasm plugin", …). */
  envoy: string[];
}

const CONFIG_ERROR = 'route-metrics: config error: ';
const CONFIG_WARNING = 'route-metrics: config warning: ';
const VERDICT = /^route-metrics: configuration (rejected|accepted with)/;

/**
 * The plugin's configuration verdict, from its log lines. The plugin runs a configuration with
 * errors (minus the parts at fault), so `errors` — not `host.configured` — says whether it is valid.
 */
export function configDiagnostics(host: SimulatedEnvoy): ConfigDiagnostics {
  const d: ConfigDiagnostics = { errors: [], warnings: [], summary: [], envoy: [] };
  for (const l of host.logs) {
    if (l.vm === 'canary') continue;
    if (l.source === 'plugin') {
      if (l.message.startsWith(CONFIG_ERROR)) d.errors.push(l.message);
      else if (l.message.startsWith(CONFIG_WARNING)) d.warnings.push(l.message);
      else if (VERDICT.test(l.message)) d.summary.push(l.message);
      else if (l.level === 'warn' || l.level === 'error' || l.level === 'critical') {
        // e.g. the empty-config warning
        (l.level === 'warn' ? d.warnings : d.errors).push(l.message);
      }
    }
  }
  if (!host.configured) d.envoy = host.startErrors;
  return d;
}

/** The path part of a config error line ("routes[3].path"), or '' when it has none. */
export function diagnosticPath(line: string): string {
  const body = line.replace(CONFIG_ERROR, '').replace(CONFIG_WARNING, '');
  const m = /^([A-Za-z_][\w]*(?:\[\d+\])*(?:\.[A-Za-z_][\w]*(?:\[\d+\])*)*): /.exec(body);
  return m ? m[1]! : '';
}
