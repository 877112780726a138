// The plugin's root context: owns the compiled configuration (config → compile), shared by every
// stream of this VM. Envoy calls on_configure on start and on every configuration update.
// A configuration with errors is used without its invalid parts (on_configure returns true), and
// route_config_errors says how many errors it had: a rejection would keep every proxy that starts
// afterwards from becoming ready, since Istio's ECDS delivery has no default configuration. With
// `"strict": true` it is rejected instead: Envoy refuses the update (xDS NACK), so running proxies
// keep the previous configuration.
import { getBufferBytes, log, BufferType, LogLevel } from "../abi/hostcalls";
import { LOG_PREFIX } from "../abi/log-prefix";
import { readConfig, finishConfig, ConfigForm } from "../config/index";
import { Classifier } from "../classify/classifier";
import { buildClassifier } from "../classify/build";
import { RouteMetricsStream } from "./stream";
import { takeStream } from "./stream-pool";
import { ActiveConfig, CompiledConfig } from "./active-config";
import { collectGarbage } from "./memory";
import { collectKeeping, beginCollections, endCollections } from "./configure-gc";
import { RouteMetrics } from "../metrics/route-metrics";
import { reportConfigErrors } from "../metrics/config-errors";
import { logDiagnostics, logRejected, logDegraded, counted } from "./config-report";

export class RouteMetricsRoot {
  /** Shared with every stream of this root; replaced field by field on each accepted configuration. */
  readonly active: ActiveConfig = new ActiveConfig();

  /** `id`: the root context id Envoy gave it (filter/dispatch.ts keeps the roots by id). */
  constructor(readonly id: u32) {}

  /** A stream of this root (filter/dispatch.ts creates streams; the SDK's createContext is not used). */
  openStream(): RouteMetricsStream {
    return takeStream(this.active);
  }

  /** proxy_on_configure: false rejects the configuration (only with `"strict": true`). */
  onConfigure(configuration_size: u32): bool {
    const ok = this.configure(configuration_size);
    // Everything kept is reachable from this root context now; the rest is garbage.
    collectGarbage();
    return ok;
  }

  private configure(configuration_size: u32): bool {
    let bytes = new Uint8Array(0);
    if (configuration_size > 0) {
      const buf = getBufferBytes(BufferType.PluginConfiguration, 0, configuration_size);
      if (buf === null) {
        log(LogLevel.Error, LOG_PREFIX + "cannot read the plugin configuration from the host");
        return false;
      }
      bytes = Uint8Array.wrap(buf);
    }
    const parsed = readConfig(bytes);
    // Frees the JSON and reading garbage before compiling (see configure-gc.ts): regex programs,
    // the route and name tables, CEL programs then reuse that space. From here on only `parsed`
    // and `this` are used.
    if (parsed.form != ConfigForm.Empty) collectKeeping(parsed);
    // Compiling regexes and conditions may collect between two of them, keeping `parsed` (and
    // what the compilers add with alsoKeep): see configure-gc.ts.
    beginCollections(parsed);
    finishConfig(parsed);
    const classifier = buildClassifier(parsed);
    endCollections();
    const diags = parsed.diags;
    logDiagnostics(diags);
    if (!diags.ok && parsed.strict) {
      logRejected(diags);
      return false;
    }
    if (!diags.ok) logDegraded(diags);
    this.active.current = new CompiledConfig(classifier, new RouteMetrics(parsed.metrics, classifier.series));
    reportConfigErrors(diags.errors.length);
    log(LogLevel.Info, LOG_PREFIX + "configured: " + describe(parsed.form, classifier));
    return true;
  }
}

function describe(form: ConfigForm, c: Classifier): string {
  const ops = counted(c.operations.count, "operation name");
  if (form == ConfigForm.Native && c.series.hasServices) {
    return "native routes of " + counted(c.series.serviceCount, "service") + ", " + ops;
  }
  if (form == ConfigForm.Native) return "native routes, " + ops;
  if (form == ConfigForm.AttributeGen) return "attributegen form, " + ops;
  return "no routes";
}
