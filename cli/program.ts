// The `route-metrics` command line (commander). Each command lives in its own module; this file
// only maps flags to options and errors to exit codes:
//   0 success · 1 failure (config errors, lint errors, failed expectation, I/O) · 2 usage
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_MAX_SERIES } from './analysis/cardinality.ts';
import { BENCH_SETTINGS, runBenchCommand } from './commands/bench.ts';
import { checkRequestLine, formatCheck, runCheck } from './commands/check.ts';
import { formatLint, runLint } from './commands/lint.ts';
import { runOpenApi, type OpenApiOutput } from './commands/openapi.ts';
import { runPackage } from './commands/package.ts';
import { runRoutes } from './commands/routes.ts';
import { runSlo, type SloFormat } from './commands/slo.ts';
import { placeholderLines } from './plugin-source.ts';
import { runServe } from './commands/serve.ts';
import { CliError, ConfigFileError } from './errors.ts';
import { PACKAGE_JSON } from './paths.ts';
import { err } from './terminal.ts';

const VERSION = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${min}–${max === Number.MAX_SAFE_INTEGER ? '…' : max}`);
    return n;
  };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Sets the process exit code from a command's result. */
type Exit = (code: number) => void;

export function buildProgram(exit: Exit): Command {
  const program = new Command('route-metrics')
    .description('Per-route metrics for Istio/Envoy: try, lint and generate route-metrics configurations with the real .wasm in a simulated Envoy')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(err.red(s)) })
    .addHelpText(
      'after',
      `
Examples:
  $ route-metrics serve                                  # sample app + proxy :15001 + admin :15090 (same as npm start)
  $ route-metrics serve --upstream http://127.0.0.1:8080 --config my-wasmplugin.yaml
  $ route-metrics check examples/config/native.json GET /users/42
  $ route-metrics lint --strict my-wasmplugin.yaml
  $ route-metrics openapi api.yaml --output wasmplugin --target-gateway my-waypoint --namespace shop > wasmplugin.yaml
  $ route-metrics routes --prometheus http://127.0.0.1:9090 --watch   # live per-route rps, success, p50/p90/p99
  $ route-metrics slo slos.yaml -o rules.yaml   # SLO recording rules + burn-rate alerts
  $ route-metrics package --image ghcr.io/acme/route-metrics   # OCI image of build/route-metrics.wasm
  $ route-metrics bench              # route-metrics vs. a floor filter (checkout only)

Exit codes: 0 ok, 1 failure (config errors, lint errors, failed --expect), 2 usage error.`,
    );

  program
    .command('serve')
    .description('run the dev proxy: every request goes through the real .wasm in one simulated Envoy; Prometheus metrics on the admin port')
    .addOption(new Option('-c, --config <file>', 'WasmPlugin YAML, Telemetry YAML or plugin JSON (repeat for plugin + telemetry)').argParser(collect).env('ROUTE_METRICS_CONFIG'))
    .addOption(new Option('--upstream <url>', 'forward to this http:// upstream instead of the built-in sample app').env('ROUTE_METRICS_UPSTREAM'))
    .addOption(new Option('--listen <host:port>', 'proxy address (port 0 = any free port)').default('127.0.0.1:15001').env('ROUTE_METRICS_LISTEN'))
    .addOption(new Option('--admin <host:port>', 'admin address: /stats/prometheus, /healthz, /config_dump, /logs').default('127.0.0.1:15090').env('ROUTE_METRICS_ADMIN'))
    .addOption(new Option('--app <host:port>', 'address of the built-in sample app').default('127.0.0.1:9898').env('ROUTE_METRICS_APP'))
    .addOption(new Option('--wasm <path>', 'the module to run (default build/route-metrics.wasm)').env('ROUTE_METRICS_WASM'))
    .addOption(new Option('--destination-app <name>', 'destination_app label on istio_* metrics').default('podinfo').env('ROUTE_METRICS_DESTINATION_APP'))
    .addOption(new Option('--upstream-timeout <ms>', 'route timeout; 504 UT when exceeded (0 = none)').argParser(integer(0)).default(15000).env('ROUTE_METRICS_UPSTREAM_TIMEOUT'))
    .addOption(new Option('--traffic <n>', 'send n sample requests after start and print a per-route summary').argParser(integer(0, 1_000_000)).env('ROUTE_METRICS_TRAFFIC'))
    .option('--exit', 'exit after start-up (and --traffic) instead of serving')
    .option('--allow-remote', 'allow non-loopback listen addresses (the proxy has no authentication)')
    .addHelpText('after', `
Examples:
  $ route-metrics serve
  $ route-metrics serve --traffic 500                    # then a per-route table: count, error %, p50/p90/p99
  $ route-metrics serve --listen 127.0.0.1:0 --admin 127.0.0.1:0 --app 127.0.0.1:0 --traffic 50 --exit
  $ route-metrics serve -c wasmplugin.yaml -c telemetry.yaml --upstream http://127.0.0.1:8080
Every option can also be set from the environment (ROUTE_METRICS_LISTEN, ROUTE_METRICS_ADMIN, ROUTE_METRICS_APP,
ROUTE_METRICS_UPSTREAM, ROUTE_METRICS_CONFIG (comma-separated), ROUTE_METRICS_WASM, ROUTE_METRICS_TRAFFIC).`)
    .action(async (o) => {
      exit(await runServe({
        config: o.config, upstream: o.upstream, listen: o.listen, admin: o.admin, app: o.app, wasm: o.wasm,
        traffic: o.traffic, exit: o.exit, allowRemote: o.allowRemote, destinationApp: o.destinationApp, upstreamTimeout: o.upstreamTimeout,
      }));
    });

  program
    .command('check')
    .description('classify one request with the real .wasm: the route attribute, the matching route or condition, and the metrics it records')
    .argument('<config>', 'WasmPlugin YAML or plugin JSON')
    .argument('<method>', 'HTTP method, e.g. GET')
    .argument('<path>', 'request path, with query string if any')
    .option('-H, --header <name=value>', 'request header (repeatable); host=… sets :authority', collect)
    .option('--host <authority>', ':authority of the request (selects the service of a "services" configuration), e.g. podinfo:9898')
    .option('--status <code>', 'response status code', integer(100, 599), 200)
    .option('--duration-ms <ms>', 'request duration', integer(0), 12)
    .option('--expect <route>', 'exit 1 unless the route attribute is exactly this')
    .option('--expect-none', 'exit 1 unless no route matches (the attribute stays unset or gets the default)')
    .option('--json', 'machine-readable output')
    .option('--wasm <path>', 'the module to run (default build/route-metrics.wasm)')
    .addHelpText('after', `
Examples:
  $ route-metrics check examples/config/native.json GET /users/42
  $ route-metrics check examples/config/wasmplugin-local.yaml POST /echo --status 500 --expect "POST /echo"
  $ route-metrics check my.json GET /app/x -H x-user=beta-7 --json
  $ route-metrics check examples/config/services.json --host cart.shop.svc.cluster.local POST /cart/items`)
    .action(async (config: string, method: string, path: string, o) => {
      if (o.expect !== undefined && o.expectNone) throw new CliError('--expect and --expect-none exclude each other', 2);
      checkRequestLine(method, path);
      const { report, exitCode } = await runCheck({
        config: [config], method, path, headers: o.header, host: o.host, status: o.status, durationMs: o.durationMs,
        expect: o.expect, expectNone: o.expectNone, wasm: o.wasm,
      });
      console.log(o.json ? JSON.stringify(report, null, 2) : formatCheck(report));
      exit(exitCode);
    });

  program
    .command('lint')
    .description("check what you deploy: WasmPlugin / Telemetry fields by Istio's CRD rules, the plugin's own configuration errors (with JSON paths), unreachable and overlapping routes as the real .wasm classifies them, regexes that could be templates, missing default, …")
    .argument('<config...>', 'WasmPlugin / Telemetry YAML or plugin JSON (several files: e.g. a WasmPlugin and a Telemetry)')
    .option('--strict', 'warnings fail too (exit 1); errors always do, although the plugin would run the valid parts')
    .option('--json', 'machine-readable output')
    .option('--wasm <path>', 'the module to run (default build/route-metrics.wasm)')
    .option('--pods <n>', 'pods running the plugin, for the series count', integer(1), 1)
    .option('--max-series <n>', 'warn when the series on --pods pods exceed this', integer(1), DEFAULT_MAX_SERIES)
    .addHelpText('after', `
Examples:
  $ route-metrics lint examples/config/wasmplugin-local.yaml
  $ route-metrics lint --pods 20 --max-series 50000 wasmplugin.yaml telemetry.yaml   # cardinality budget
  $ route-metrics lint examples/waypoint/wasmplugin-native.yaml examples/waypoint/telemetry.yaml
  $ route-metrics lint --strict --json routes.json
  $ route-metrics lint --strict wasmplugin.yaml && kubectl apply -f wasmplugin.yaml   # the CI gate`)
    .action(async (config: string[], o) => {
      const { report, exitCode } = await runLint({ config, strict: o.strict, json: o.json, wasm: o.wasm, pods: o.pods, maxSeries: o.maxSeries });
      console.log(o.json ? JSON.stringify(report, null, 2) : formatLint(report));
      exit(exitCode);
    });

  program
    .command('openapi')
    .description('generate routes from an OpenAPI 3.x or Swagger 2.0 spec (one route per path and method)')
    .argument('<spec...>', 'local YAML or JSON files, optionally gzip-compressed (.gz); URLs are not fetched. Several specs give one route list')
    .addOption(new Option('-o, --output <kind>', 'what to print').choices(['config', 'wasmplugin', 'telemetry', 'all']).default('config'))
    .addOption(new Option('--name-style <style>', 'route names: "<METHOD> <path template>" or the operationId').choices(['template', 'operationId']).default('template'))
    .option('--prefix-base-path', 'include the server base path in template-style names')
    .option('--base-path <path>', "use this base path instead of the spec's servers / basePath ('' for none)")
    .option('--default <name>', 'value for requests no route matches (default: unset, Istio shows "unknown")')
    .option('--namespace <ns>', 'metadata.namespace of the manifests')
    .option('--target-gateway <name>', 'targetRefs to this waypoint / gateway (ambient)')
    .option('--selector <k=v,...>', 'workload selector matchLabels (sidecars)')
    .option('--url <url>', 'WasmPlugin url of the module (default: the release image oci://ghcr.io/<owner>/route-metrics:<version>)')
    .option('--sha256 <hex>', 'WasmPlugin sha256 (default: computed from --wasm: the OCI manifest digest for oci://, the module digest for https://)')
    .option('--wasm <path>', 'the module whose digest goes into the WasmPlugin (default build/route-metrics.wasm)')
    .option('--name <name>', 'metadata.name of the manifests', 'route-metrics')
    .option('--tag <label>', 'label name on Istio metrics in the Telemetry', 'route_name')
    .option('--no-validate', 'skip the OpenAPI schema and spec checks (for sloppy real-world descriptions)')
    .option('--service <name>', 'write the routes as this service of a shared waypoint ("services"; the name is its destination_service_name label)')
    .option('--host <host>', 'a host of --service, matched against :authority without the port (repeatable; "*.example.com" wildcards); none: the service for the hosts no other service claims', collect)
    .option('--merge <config>', "add the routes to this configuration (plugin JSON/YAML or a WasmPlugin; '-' reads stdin): a --service of the same name is replaced")
    .addHelpText('after', `
Examples:
  $ route-metrics openapi petstore.yaml > routes.json
  $ route-metrics openapi podinfo.yaml --service podinfo --host podinfo --host podinfo.shop.svc.cluster.local > shop.json
  $ route-metrics openapi cart.yaml --service cart --host cart --merge shop.json > shop-2.json
  $ route-metrics openapi podinfo.yaml --service podinfo --host podinfo | route-metrics openapi cart.yaml --service cart --host cart --merge - -o wasmplugin
  $ route-metrics openapi api.github.com.json.gz --name-style operationId --default other > github-routes.json
  $ route-metrics openapi petstore.yaml --name-style operationId -o all --target-gateway petstore-waypoint --namespace pets
  $ route-metrics openapi swagger.json -o wasmplugin --selector app=bookstore --url oci://ghcr.io/acme/route-metrics:0.1.0
The WasmPlugin's sha256 is filled in from the module; every value left to fill in is flagged on
stderr ("placeholder spec.url = …") and with a PLACEHOLDER comment in the YAML.`)
    .action(async (specs: string[], o) => {
      const r = await runOpenApi(specs, {
        output: o.output as OpenApiOutput, nameStyle: o.nameStyle, prefixBasePath: o.prefixBasePath, basePath: o.basePath,
        default: o.default, namespace: o.namespace, targetGateway: o.targetGateway, selector: o.selector, url: o.url, name: o.name, tag: o.tag,
        validate: o.validate, sha256: o.sha256, wasm: o.wasm, service: o.service, hosts: o.host, merge: o.merge,
      });
      for (const w of r.conversion.warnings) console.error(err.yellow(`note: ${w}`));
      for (const n of r.notes) console.error(`note: ${n}`);
      for (const p of placeholderLines(r.placeholders)) console.error(err.yellow(`warning: ${p}`));
      process.stdout.write(r.text);
      exit(0);
    });

  program
    .command('routes')
    .description('per-route requests/s, success rate and p50/p90/p99 latency from Prometheus (the plugin\'s metrics, or Istio\'s with --source istio)')
    .addOption(new Option('--prometheus <url>', 'Prometheus base URL (credentials as http://user:password@host:9090)').env('ROUTE_METRICS_PROMETHEUS').makeOptionMandatory())
    .option('--window <duration>', 'rate window', '1m')
    .option('--namespace <ns>', 'only this namespace (label namespace; destination_service_namespace with --source istio)')
    .option('--service <name>', 'only this service (label destination_service_name)')
    .addOption(new Option('--source <source>', 'which metrics').choices(['plugin', 'istio']).default('plugin'))
    .option('--prefix <prefix>', "the plugin's metrics.prefix", 'route_')
    .option('--watch', 'refresh every --interval until Ctrl-C')
    .option('--interval <duration>', 'time between refreshes with --watch', '5s')
    .option('--count <n>', 'with --watch: stop after n refreshes', integer(1))
    .option('--timeout <duration>', 'per Prometheus request', '10s')
    .option('--json', 'an array of {route, service?, namespace?, rps, success_rate (0–1), p50_ms, p90_ms, p99_ms}; one array per line with --watch')
    .addHelpText('after', `
Examples:
  $ route-metrics routes --prometheus http://127.0.0.1:9090
  $ route-metrics routes --prometheus http://127.0.0.1:9090 --namespace podinfo --window 5m --watch
  $ route-metrics routes --prometheus http://127.0.0.1:9090 --source istio --service podinfo --json
Success = neither a 5xx nor a reset (response_class none; Istio: response_code 0 or a reset flag UC/UR/LR/DC/DR).
When nothing matches, it says what is missing: scrape targets, the plugin's metrics, extraStatTags, the Telemetry override, or the filters.`)
    .action(async (o) => {
      exit(await runRoutes({
        prometheus: o.prometheus, window: o.window, namespace: o.namespace, service: o.service, source: o.source, prefix: o.prefix,
        watch: o.watch, interval: o.interval, count: o.count, timeout: o.timeout, json: o.json,
      }));
    });

  program
    .command('slo')
    .description('Prometheus rules for per-route SLOs: recording rules across pods and multi-window multi-burn-rate alerts (page / ticket)')
    .argument('<spec>', 'SLO spec (YAML): slos: [{route, service?, objective, latency?: {threshold_ms, objective}}]')
    .option('-o, --output <file>', 'write the rules here (default: stdout)')
    .addOption(new Option('--format <format>', 'a Prometheus rules file, or a Prometheus Operator PrometheusRule').choices(['rules', 'prometheusrule']).default('rules'))
    .addOption(new Option('--source <source>', "the plugin's metrics or Istio's (with the Telemetry's route_name)").choices(['plugin', 'istio']).default('plugin'))
    .option('-c, --config <file>', 'manifests / plugin configuration to read histogram buckets (sidecar.istio.io/statsHistogramBuckets) and metrics.prefix from (repeatable)', collect)
    .option('--buckets <list>', "bucket bounds of the duration histogram, e.g. 5,10,25,50,100,250 (default: --config's annotations, else Envoy's defaults)")
    .option('--prefix <prefix>', "the plugin's metrics.prefix (default: from --config, else route_)")
    .option('--name <name>', 'PrometheusRule metadata.name', 'route-metrics-slos')
    .option('--namespace <ns>', 'PrometheusRule metadata.namespace')
    .option('--label <k=v>', 'PrometheusRule metadata.labels, e.g. release=prometheus (repeatable)', collect)
    .addHelpText('after', `
Examples:
  $ route-metrics slo examples/prometheus/slos.yaml -o rules.yaml && promtool check rules rules.yaml
  $ route-metrics slo slos.yaml --format prometheusrule --namespace monitoring --label release=prometheus | kubectl apply -f -
  $ route-metrics slo slos.yaml --source istio -c examples/sidecar/podinfo.yaml
Availability errors: 5xx and resets. A latency threshold must be a bucket boundary of the histogram.`)
    .action((spec: string, o) => {
      exit(runSlo({
        spec, output: o.output, format: o.format as SloFormat, source: o.source, config: o.config, buckets: o.buckets, prefix: o.prefix,
        name: o.name, namespace: o.namespace, labels: o.label,
      }));
    });

  program
    .command('package')
    .description('package build/route-metrics.wasm as a reproducible OCI image (and its sha256 files); prints what to put in a WasmPlugin')
    .option('--wasm <path>', 'the module (default build/route-metrics.wasm)')
    .option('--out <dir>', 'OCI image layout directory (default build/oci in a checkout, ./route-metrics-oci otherwise)')
    .option('--tag <tag>', 'image tag (default: the package version)')
    .option('--image <repository>', 'where the image will be pushed, e.g. ghcr.io/acme/route-metrics: printed references use it instead of a REGISTRY placeholder')
    .option('--json', 'machine-readable output')
    .addHelpText('after', `
Examples:
  $ route-metrics package
  $ route-metrics package --image ghcr.io/acme/route-metrics && skopeo copy --preserve-digests oci:build/oci:0.1.0 docker://ghcr.io/acme/route-metrics:0.1.0
  $ SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) route-metrics package --json
Same module, same package.json, same SOURCE_DATE_EPOCH: same digests, on every machine.`)
    .action(async (o) => {
      exit(await runPackage({ wasm: o.wasm, out: o.out, tag: o.tag, image: o.image, json: o.json }));
    });

  program
    .command('bench')
    .description('benchmark route-metrics against a floor filter (bench/run.ts; in a checkout of the repository)')
    .addOption(new Option('--mode <mode>', 'host: through the simulated host; compute: host calls replayed at near-zero cost, so the filter\'s own work shows').choices(['host', 'compute', 'both']))
    .option('--quick', 'shorter runs, no issue-11 extra cases (a smoke run, not a measurement)')
    .addHelpText('after', `
Settings (environment variables):
${BENCH_SETTINGS.map(([name, meaning]) => `  ${name.padEnd(22)} ${meaning}`).join('\n')}
Writes build/bench/results.{json,md} and build/bench/chart.svg. \`npm run bench\` builds first (only when assembly/ changed).

Examples:
  $ route-metrics bench
  $ route-metrics bench --mode compute --quick
  $ BENCH_SIZES=10,1000 BENCH_RUNS=3 route-metrics bench`)
    .action(async (o: { mode?: string; quick?: boolean }) => exit(await runBenchCommand({ mode: o.mode, quick: o.quick })));
  return program;
}

/** Runs the CLI; resolves with the exit code (it never calls process.exit itself). */
export async function run(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help/version exit 0; everything commander rejects is a usage error
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      console.error(err.red(`route-metrics: ${e.message}`));
      for (const d of e.details) console.error(d);
      return e.exitCode;
    }
    if (e instanceof ConfigFileError) {
      console.error(err.red(`route-metrics: ${e.message}`));
      return 1;
    }
    console.error(err.red(`route-metrics: ${(e as Error).stack ?? String(e)}`));
    return 1;
  }
}
