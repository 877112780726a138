// `route-metrics openapi <spec…>`: routes from OpenAPI 3.x / Swagger 2.0 documents (local files,
// YAML or JSON, optionally gzip-compressed; loaded by analysis/openapi-load.ts), printed as native
// route JSON, a WasmPlugin, a Telemetry, or both manifests. Several specs give one route list.
// `--service NAME --host H…` writes them as a service block, and `--merge CONFIG` adds them to an
// existing configuration (analysis/openapi-services.ts). Notes and warnings go to stderr so the
// output can be redirected into a file as it is.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { convertOpenApi, type OpenApiConversion, type OpenApiOptions } from '../analysis/openapi-routes.ts';
import { loadOpenApi, SpecArgumentError, SpecLoadError } from '../analysis/openapi-load.ts';
import { mergeRoutes, serviceHosts, MergeError, ServiceArgumentError } from '../analysis/openapi-services.ts';
import { manifestsYaml, parseSelector, telemetryManifest, wasmPluginManifest, type Placement } from '../istio-manifests.ts';
import { CliError } from '../errors.ts';
import { resolvePluginSource, type Placeholder } from '../plugin-source.ts';

export type OpenApiOutput = 'config' | 'wasmplugin' | 'telemetry' | 'all';

export interface OpenApiCommandOptions extends OpenApiOptions {
  output?: OpenApiOutput;
  namespace?: string;
  targetGateway?: string;
  selector?: string;
  default?: string;
  url?: string;
  /** WasmPlugin sha256 (hex); default: the digest of `wasm` that fits the url's scheme. */
  sha256?: string;
  /** The module whose digest goes into the WasmPlugin (default build/route-metrics.wasm). */
  wasm?: string;
  name?: string;
  tag?: string;
  /** false: convert without schema and spec validation (sloppy real-world descriptions). */
  validate?: boolean;
  /** Write the routes as this service (`services` block). */
  service?: string;
  /** The service's hosts (with `service`); none: the service for the hosts no other service claims. */
  hosts?: string[];
  /** A configuration to add the routes to (file, or '-' for stdin): JSON / YAML plugin configuration or a WasmPlugin. */
  merge?: string;
}

export interface OpenApiResult {
  text: string;
  conversion: OpenApiConversion;
  /** Values in the WasmPlugin the user still has to fill in (each is flagged in the YAML too). */
  placeholders: Placeholder[];
  /** Where the WasmPlugin's sha256 came from. */
  notes: string[];
}

export async function runOpenApi(files: string | string[], opts: OpenApiCommandOptions): Promise<OpenApiResult> {
  const specs = typeof files === 'string' ? [files] : files;
  if (specs.length === 0) throw new CliError('no spec given', 2);
  const output = opts.output ?? 'config';
  if (!['config', 'wasmplugin', 'telemetry', 'all'].includes(output)) {
    throw new CliError(`--output ${output}: expected config, wasmplugin, telemetry or all`, 2);
  }
  if (opts.nameStyle && !['template', 'operationId'].includes(opts.nameStyle)) {
    throw new CliError(`--name-style ${opts.nameStyle}: expected template or operationId`, 2);
  }
  if (opts.targetGateway && opts.selector) {
    throw new CliError('--target-gateway and --selector exclude each other (Istio allows one of targetRefs and selector)', 2);
  }
  let placement: Placement;
  try {
    placement = { namespace: opts.namespace, targetGateway: opts.targetGateway, selector: opts.selector ? parseSelector(opts.selector) : undefined };
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
  try {
    serviceHosts(opts);
  } catch (e) {
    if (e instanceof ServiceArgumentError) throw new CliError(e.message, 2);
    throw e;
  }
  const conversions: OpenApiConversion[] = [];
  for (const file of specs) conversions.push(convertOpenApi(await loadSpec(file, opts.validate), opts));
  const conversion = combine(conversions, specs);
  const base = opts.merge !== undefined ? readMergeBase(opts.merge) : { output_attribute: 'istio_operationId' };
  let merged;
  try {
    merged = mergeRoutes(base, conversion.routes, opts, opts.merge === '-' ? 'the configuration on stdin' : opts.merge ?? 'the new configuration');
  } catch (e) {
    if (e instanceof MergeError) throw new CliError(e.message, 1);
    if (e instanceof ServiceArgumentError) throw new CliError(e.message, 2);
    throw e;
  }
  for (const n of merged.notes) conversion.warnings.push(n);
  const config = opts.default !== undefined ? withDefault(merged.config, opts.default) : merged.config;
  const routeNotes = new Map([...conversion.routeNotes].map(([i, note]) => [i + merged.firstRoute, note]));
  const file = specs.join(', ');
  let text: string;
  let placeholders: Placeholder[] = [];
  let notes: string[] = [];
  if (output === 'config') {
    text = JSON.stringify(config, null, 2) + '\n';
  } else {
    const docs: Record<string, unknown>[] = [];
    if (output !== 'telemetry') {
      const source = await resolvePluginSource({ url: opts.url, sha256: opts.sha256, wasm: opts.wasm });
      ({ placeholders, notes } = source);
      docs.push(wasmPluginManifest(config, { name: opts.name, url: source.url, sha256: source.sha256, placement }));
    }
    if (output !== 'wasmplugin') docs.push(telemetryManifest({ name: opts.name, placement, tag: opts.tag }));
    const added = opts.service !== undefined ? ` for the service ${JSON.stringify(opts.service)}` : '';
    const header = `# Generated by route-metrics openapi from ${conversion.title || file}${conversion.version ? ` ${conversion.version}` : ''} (${conversion.format}); ${conversion.routes.length} routes${added}\n`;
    text = header + manifestsYaml(docs, routeNotes, placeholders, ['spec', 'pluginConfig', ...merged.routesAt]);
  }
  return { text, conversion, placeholders, notes };
}

async function loadSpec(file: string, validate: boolean | undefined) {
  try {
    return await loadOpenApi(file, { validate });
  } catch (e) {
    if (e instanceof SpecArgumentError) throw new CliError(e.message, 2);
    if (e instanceof SpecLoadError) throw new CliError(e.message, 1, e.details);
    throw new CliError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** One conversion for several specs: their routes in order, notes renumbered, warnings named by file. */
function combine(list: OpenApiConversion[], files: string[]): OpenApiConversion {
  if (list.length === 1) return list[0]!;
  const out: OpenApiConversion = {
    title: list.map((c, i) => c.title || files[i]!).join(' + '),
    version: '',
    format: [...new Set(list.map((c) => c.format))].join(', '),
    basePaths: [...new Set(list.flatMap((c) => c.basePaths))],
    routes: [],
    routeNotes: new Map(),
    warnings: [],
  };
  list.forEach((c, i) => {
    for (const [k, note] of c.routeNotes) out.routeNotes.set(out.routes.length + k, note);
    out.routes.push(...c.routes);
    out.warnings.push(...c.warnings.map((w) => `${files[i]}: ${w}`));
  });
  return out;
}

/** Sets the top-level default, keeping the key order of the rest. */
function withDefault(config: Record<string, unknown>, value: string): Record<string, unknown> {
  if ('default' in config) return { ...config, default: value };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    out[k] = v;
    if (k === 'output_attribute') out.default = value;
  }
  if (!('default' in out)) return { default: value, ...config };
  return out;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The plugin configuration in `source` ('-': stdin): plugin JSON or YAML, or the pluginConfig of a WasmPlugin. */
function readMergeBase(source: string): Obj {
  const where = source === '-' ? 'stdin' : source;
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`--merge ${where}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, 1);
  }
  let docs: unknown[];
  try {
    docs = /^\s*\{/.test(text) ? [JSON.parse(text)] : parseAllDocuments(text).map((d) => {
      if (d.errors.length > 0) throw d.errors[0]!;
      return d.toJS();
    });
  } catch (e) {
    throw new CliError(`--merge ${where}: not JSON or YAML: ${(e as Error).message.split('\n')[0]}`, 1);
  }
  const plugin = docs.find((d) => isObj(d) && d.kind === 'WasmPlugin');
  if (isObj(plugin)) {
    const pc = isObj(plugin.spec) ? plugin.spec.pluginConfig : undefined;
    return isObj(pc) ? pc : {};
  }
  const config = docs.find((d) => isObj(d) && d.kind === undefined);
  if (!isObj(config)) throw new CliError(`--merge ${where}: no plugin configuration or WasmPlugin in it`, 1);
  return config;
}
