// Operation names as metric labels. A name reaches /stats/prometheus as a route_name label after
// safeTagValue (metrics/tags.ts) has replaced separators and risky dots, so two distinct names can
// end up as one label (`a;b` and `a_b`, `cache.x` and `cache_x`), and a name can look like the
// label of unmatched requests (`unknown` by default): their requests would silently share one
// series. Such a name is an error naming both JSON paths; the first one keeps the label.
// The same name given twice is one operation by design (several routes, one name), not a clash.
import { Diagnostics } from "../config/diagnostics";
import { MetricsConfig } from "../config/metrics";
import { safeTagValue } from "../metrics/tags";
import { ROUTE_TAG } from "../metrics/route-metrics";

export class OperationLabels {
  /** label → index into names/paths of the first name that gave it. */
  private owners: Map<string, i32> = new Map<string, i32>();
  private names: string[] = [];
  private paths: string[] = [];
  private unmatchedLabel: string;

  constructor(private metrics: MetricsConfig, private diags: Diagnostics) {
    this.unmatchedLabel = safeTagValue(metrics.unmatched);
  }

  /**
   * Whether `name` (at JSON path `path`) may have its own series; reports the error when not.
   * Always true when metrics are off: nothing is labelled then.
   */
  admit(name: string, path: string): bool {
    if (!this.metrics.enabled) return true;
    const label = safeTagValue(name);
    if (label == this.unmatchedLabel) {
      this.diags.error(path, quote(name) + " gives the label " + labelText(label) +
        ", the one of unmatched requests (metrics.unmatched is " + quote(this.metrics.unmatched) +
        "): rename it or set metrics.unmatched");
      return false;
    }
    const owners = this.owners;
    if (!owners.has(label)) {
      owners.set(label, this.names.length);
      this.names.push(name);
      this.paths.push(path);
      return true;
    }
    const first = owners.get(label);
    if (this.names[first] == name) return true;
    this.diags.error(path, quote(name) + " and " + quote(this.names[first]) + " (" + this.paths[first] +
      ") give the same label " + labelText(label) + ": their requests would share one series");
    return false;
  }
}

function quote(s: string): string {
  return "\"" + s.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"").replaceAll("\n", "\\n").replaceAll("\r", "\\r") + "\"";
}

function labelText(label: string): string {
  return ROUTE_TAG + "=" + quote(label);
}

