// Reads the configuration files the CLI accepts and turns them into what Envoy would get:
//   - a WasmPlugin (YAML or JSON, possibly several documents): spec.pluginConfig becomes the JSON
//     text proxy_on_configure receives (Istio serializes the Struct to JSON), spec.pluginName the
//     root id, "<namespace>.<name>" the Envoy plugin name, vmConfig.env the WASI environment;
//   - a Telemetry resource: kept as an object (its tagOverrides decide the Istio metric labels);
//   - raw plugin JSON (`{"routes": …}` / `{"attributes": …}`): passed byte for byte, so the
//     plugin's own JSON errors (with columns) are what the user sees;
//   - plugin config written as YAML without a `kind`: converted to JSON.
// One plugin configuration and at most one Telemetry may come from the files given together.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigFileError } from './errors.ts';

type Doc = Record<string, unknown>;

export interface TelemetryResource {
  apiVersion?: string;
  kind: 'Telemetry';
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, unknown>;
}

export interface WasmPluginInfo {
  name?: string;
  namespace?: string;
  url?: string;
  phase?: string;
  failStrategy?: string;
}

/** One Istio resource as written (for lint's manifest checks): where it came from and its content. */
export interface ManifestDocument {
  file: string;
  /** 0-based position among the file's non-empty documents. */
  index: number;
  doc: Doc;
}

export interface LoadedConfig {
  /** The JSON text given to proxy_on_configure; undefined = no pluginConfig (size 0). */
  pluginConfig: string | undefined;
  /** Envoy root_id (WasmPlugin spec.pluginName). */
  rootId?: string;
  /** Envoy plugin name, "<namespace>.<name>" as Istio builds it. */
  envoyPluginName?: string;
  failStrategy?: 'FAIL_OPEN' | 'FAIL_CLOSE';
  env?: Record<string, string>;
  wasmPlugin?: WasmPluginInfo;
  telemetry?: TelemetryResource;
  /** Where each part came from, for messages. */
  pluginSource?: string;
  telemetrySource?: string;
  /** The WasmPlugin, TrafficExtension and Telemetry documents, as written. */
  manifests: ManifestDocument[];
}

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigFileError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function parseDocuments(file: string, text: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const d of list) {
    if (d.errors.length > 0) throw new ConfigFileError(`${file}: YAML: ${d.errors[0]!.message}`);
    const v = d.toJS();
    if (v !== null && v !== undefined) values.push(v);
  }
  return values;
}

function wasmPluginEnv(spec: Doc): Record<string, string> | undefined {
  const vm = spec.vmConfig;
  if (!isObject(vm) || !Array.isArray(vm.env)) return undefined;
  const env: Record<string, string> = {};
  for (const e of vm.env) {
    // valueFrom HOST reads the proxy's own environment; INLINE (the default) is the literal value.
    if (isObject(e) && typeof e.name === 'string') {
      env[e.name] = e.valueFrom === 'HOST' ? process.env[e.name] ?? '' : String(e.value ?? '');
    }
  }
  return env;
}

/** Adds one file's documents to `into`. */
function addFile(file: string, into: LoadedConfig): void {
  const text = readText(file);
  const ext = extname(file).toLowerCase();
  if (ext === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON at all: hand it to the plugin anyway, whose error names the line and column.
      setPlugin(into, text, file);
      return;
    }
    if (isObject(parsed) && typeof parsed.kind === 'string') {
      addDocument(file, parsed, 0, into);
      return;
    }
    setPlugin(into, text, file); // raw plugin JSON, byte for byte
    return;
  }
  const docs = parseDocuments(file, text);
  if (docs.length === 0) throw new ConfigFileError(`${file}: empty file`);
  docs.forEach((d, index) => addDocument(file, d, index, into));
}

function addDocument(file: string, doc: unknown, index: number, into: LoadedConfig): void {
  if (!isObject(doc)) throw new ConfigFileError(`${file}: expected a mapping (a WasmPlugin, a Telemetry or a plugin configuration)`);
  const kind = doc.kind;
  if (kind === 'WasmPlugin' || kind === 'TrafficExtension' || kind === 'Telemetry') into.manifests.push({ file, index, doc });
  if (kind === 'WasmPlugin' || kind === 'TrafficExtension') {
    let spec = isObject(doc.spec) ? doc.spec : {};
    if (kind === 'TrafficExtension') {
      if (!isObject(spec.wasm)) throw new ConfigFileError(`${file}: TrafficExtension without spec.wasm`);
      spec = { ...spec, ...spec.wasm };
    }
    const meta = isObject(doc.metadata) ? doc.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : undefined;
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : 'default';
    // Istio: pluginConfig (a Struct) → JSON; absent → configuration of size 0.
    setPlugin(into, spec.pluginConfig === undefined || spec.pluginConfig === null ? undefined : JSON.stringify(spec.pluginConfig), file);
    if (typeof spec.pluginName === 'string') into.rootId = spec.pluginName;
    if (name) into.envoyPluginName = `${namespace}.${name}`;
    if (spec.failStrategy === 'FAIL_OPEN' || spec.failStrategy === 'FAIL_CLOSE') into.failStrategy = spec.failStrategy;
    into.env = wasmPluginEnv(spec);
    into.wasmPlugin = {
      name,
      namespace,
      url: typeof spec.url === 'string' ? spec.url : undefined,
      phase: typeof spec.phase === 'string' ? spec.phase : undefined,
      failStrategy: typeof spec.failStrategy === 'string' ? spec.failStrategy : undefined,
    };
    return;
  }
  if (kind === 'Telemetry') {
    if (into.telemetry) throw new ConfigFileError(`${file}: a second Telemetry (the first came from ${into.telemetrySource})`);
    into.telemetry = doc as unknown as TelemetryResource;
    into.telemetrySource = file;
    return;
  }
  if (typeof kind === 'string') throw new ConfigFileError(`${file}: unsupported kind ${kind} (expected WasmPlugin, Telemetry or a plugin configuration)`);
  setPlugin(into, JSON.stringify(doc), file); // plugin configuration written as YAML
}

function setPlugin(into: LoadedConfig, json: string | undefined, file: string): void {
  if (into.pluginSource !== undefined) {
    throw new ConfigFileError(`${file}: a second plugin configuration (the first came from ${into.pluginSource})`);
  }
  into.pluginConfig = json;
  into.pluginSource = file;
}

/** Loads one or more files (e.g. a WasmPlugin and a Telemetry); one must carry the plugin configuration unless requirePlugin is false. */
export function loadConfigFiles(files: string[], opts: { requirePlugin?: boolean } = {}): LoadedConfig {
  const into: LoadedConfig = { pluginConfig: undefined, manifests: [] };
  for (const f of files) addFile(f, into);
  if ((opts.requirePlugin ?? true) && into.pluginSource === undefined) {
    throw new ConfigFileError(`${files.join(', ')}: no plugin configuration (give a WasmPlugin or plugin JSON, not only a Telemetry)`);
  }
  return into;
}

/** Which form a plugin configuration is in, judged from its top-level keys (the plugin decides for real). */
export function configForm(json: string | undefined): 'native' | 'attributegen' | 'empty' | 'invalid' {
  if (json === undefined || json.trim() === '') return 'empty';
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return 'invalid';
  }
  if (!isObject(v)) return 'invalid';
  if (Object.keys(v).length === 0) return 'empty';
  return 'attributes' in v ? 'attributegen' : 'native';
}

/**
 * The same configuration with `debug: true` set at the top level (both forms accept it), so the
 * plugin logs each decision. Unparseable text is returned unchanged: the plugin reports it.
 */
export function withDebug(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  try {
    const v = JSON.parse(json);
    if (!isObject(v) || Object.keys(v).length === 0) return json;
    return JSON.stringify({ ...v, debug: true });
  } catch {
    return json;
  }
}
