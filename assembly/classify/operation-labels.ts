// Operation names as metric labels. A name reaches /stats/prometheus as a route_name label after
// safeTagValue (metrics/tags.ts) has replaced separators and risky dots, so two distinct names can
// end up as one label (`a;b` and `a_b`, `cache.x` and `cache_x`), and a name can look like the
// label of unmatched requests (`unknown` by default): their requests would silently share one
// series. Such a name is an error naming both JSON paths; the first one keeps the label.
// The same name given twice is one operation by design (several routes, one name), not a clash.
//
// Configure time only, but it sees every route: nothing is allocated per name that is admitted
// (safeTagValue returns the name itself when nothing needs replacing, and a JSON path is only
// built for an error message). When no name can change as a label (the usual case: see
// mayChangeAsLabel), distinct names are distinct labels, and only the unmatched label is checked.
import { Diagnostics, index } from "../config/diagnostics";
import { quoted } from "../text/replace";
import { MetricsConfig } from "../config/metrics";
import { safeTagValue } from "../metrics/tags";
import { ROUTE_TAG } from "../metrics/route-metrics";

export class OperationLabels {
  /** label → index into the arrays below, which describe the first name that gave the label. */
  private owners: Map<string, i32> = new Map<string, i32>();
  // Owner i: its name and the JSON path where it was found, in three parts: base + "[" + position
  // + "]" + suffix (no index when position < 0). texts[3i ..] is (name, base, suffix).
  private texts: string[] = [];
  private positions: i32[] = [];
  private unmatchedLabel: string;
  /** Set by namesKeepTheirLabels(): no label table needed. */
  private allUnchanged: bool = false;

  constructor(private metrics: MetricsConfig, private diags: Diagnostics) {
    this.unmatchedLabel = safeTagValue(metrics.unmatched);
  }

  /** The caller checked (mayChangeAsLabel) that every name it will admit is its own label. */
  namesKeepTheirLabels(): void {
    this.allUnchanged = true;
  }

  /**
   * Whether `name`, found at JSON path base[position]suffix (base + suffix when position < 0), may
   * have its own series; reports the error when not. Always true when metrics are off: nothing is
   * labelled then.
   */
  admit(name: string, base: string, position: i32, suffix: string): bool {
    if (!this.metrics.enabled) return true;
    const label = this.allUnchanged ? name : safeTagValue(name);
    if (label == this.unmatchedLabel) {
      this.diags.error(jsonPath(base, position, suffix), quoted(name) + " gives the label " + labelText(label) +
        ", the one of unmatched requests (metrics.unmatched is " + quoted(this.metrics.unmatched) +
        "): rename it or set metrics.unmatched");
      return false;
    }
    if (this.allUnchanged) return true;
    const owners = this.owners;
    if (!owners.has(label)) {
      const texts = this.texts;
      owners.set(label, this.positions.length);
      texts.push(name);
      texts.push(base);
      texts.push(suffix);
      this.positions.push(position);
      return true;
    }
    const first = owners.get(label);
    const texts = this.texts;
    const firstName = texts[3 * first];
    if (firstName == name) return true;
    this.diags.error(jsonPath(base, position, suffix), quoted(name) + " and " + quoted(firstName) + " (" +
      jsonPath(texts[3 * first + 1], this.positions[first], texts[3 * first + 2]) + ") give the same label " +
      labelText(label) + ": their requests would share one series");
    return false;
  }
}

/** Whether safeTagValue may change `name`: each of its replacements involves '.', ';', '\n' or '\r'. */
export function mayChangeAsLabel(name: string): bool {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c == 0x2e || c == 0x3b || c == 0x0a || c == 0x0d) return true;
  }
  return false;
}

function jsonPath(base: string, position: i32, suffix: string): string {
  return (position < 0 ? base : index(base, position)) + suffix;
}

function labelText(label: string): string {
  return ROUTE_TAG + "=" + quoted(label);
}
