// attributegen conditions: each attribute's match list is evaluated in order, the first true
// condition writes its value; an evaluation error stops that attribute (nothing written), as in
// Istio's attributegen.
//
// When each condition runs: ON_REQUEST attributes at request headers; AFTER_RESPONSE (default)
// attributes at on_log — except that an attribute whose AFTER_RESPONSE conditions read only
// request attributes (no response.*, no completion-only values, no filter state) is evaluated at
// request headers instead. The filter state seen at on_log is identical (same conditions, same
// inputs, same write order per attribute), and the value is then visible to filters that read it
// earlier — e.g. Istio's stats filter even when this plugin sits after it in the chain.
import { Classifier, StreamState } from "./classifier";
import { AttributeGenConfig, Phase, matchListPath } from "../config/attributegen";
import { Diagnostics, index } from "../config/diagnostics";
import { setProperty, setPropertyBytes, log, LogLevel, defineMetric, incrementMetric, MetricType, NO_METRIC } from "../abi/hostcalls";
import { LOG_PREFIX } from "../abi/log-prefix";
import { MetricsConfig } from "../config/metrics";
import { compile, lastError, Program } from "../cel/index";
import { HostActivation } from "../cel/activation";
import { OperationLabels, mayChangeAsLabel } from "./operation-labels";
import { alsoKeep, collectionPoint } from "../filter/configure-gc";
import { atColumn } from "../routes/template";
import { isSpace } from "util/string";
import { i32At, refAt } from "../unchecked";
import { ConditionIndex } from "./condition-index";

// Garbage compiling one condition leaves (tokens, syntax tree, planner state, names), for the
// collections between conditions (filter/configure-gc.ts): a base plus a share per source character.
const GARBAGE_PER_CONDITION: usize = 256;
const GARBAGE_PER_CHAR: usize = 16;

/** The attribute whose value names the operation for route metrics. */
export const OPERATION_ATTRIBUTE = "istio_operationId";

/** The value of a match that writes the operation attribute: its bytes are in the operations table. */
const IN_OPERATIONS = new ArrayBuffer(0);

class Generator {
  /** UTF-8 of each match's value; IN_OPERATIONS when it is the operation's name (see `operations`). */
  values: ArrayBuffer[] = [];
  /** null = empty condition (always true). */
  programs: Array<Program | null> = [];
  /**
   * Two per kept match m: at 2m its operation index when this generator writes the operation
   * attribute, else -1; at 2m + 1 its position in the configuration's `match` list (some may have
   * been dropped). One array: one object less per generator.
   */
  matchInfo: i32[] = [];
  needsResponse: bool = false;
  /** The conditions a request can satisfy, by one lookup (condition-index.ts); null: all, in order. */
  conditions: ConditionIndex | null = null;
  constructor(public index: i32, public attributeName: ArrayBuffer, public attributeText: string, public phase: Phase) {}
}

export class AttributeGenClassifier extends Classifier {
  /** Evaluated at request headers, in this order. */
  private atRequest: Generator[] = [];
  /** Evaluated at on_log, in this order. */
  private atLog: Generator[] = [];
  private activation: HostActivation = new HostActivation();
  /** Runtime evaluation errors so far (attributegen's "runtime" error_count). */
  runtimeErrors: i64 = 0;
  /** Counter `<prefix>condition_errors_total`, defined on the first error (0 = not yet, MAX = off/refused). */
  private errorCounter: u32 = 0;
  private errorCounterName: string = "";

  // Build-time state, in fields rather than locals: compiling may collect between two conditions,
  // and only what is reachable from this classifier (kept by alsoKeep) or from the parsed
  // configuration survives that (filter/configure-gc.ts). The generators being compiled are in
  // `atRequest`, in configuration order, until they are ordered by phase.
  private labels: OperationLabels | null = null;
  /** `attributes[i].match` of the attribute being compiled: where label clashes are reported. */
  private listPath: string = "";

  constructor(config: AttributeGenConfig, diags: Diagnostics, metrics: MetricsConfig, labels: OperationLabels) {
    super();
    alsoKeep(this);
    this.labels = labels;
    this.errorCounterName = metrics.prefix + "condition_errors_total";
    if (!metrics.enabled) this.errorCounter = u32.MAX_VALUE;
    this.debug = config.debug;
    if (!anyOperationMayChangeAsLabel(config)) labels.namesKeepTheirLabels(); // no label table needed
    const all = this.atRequest;
    let compiledChars = 0;
    for (let a = 0; a < config.attributes.length; a++) {
      const spec = config.attributes[a];
      const g = new Generator(spec.index, String.UTF8.encode(spec.outputAttribute), spec.outputAttribute, spec.phase);
      all.push(g);
      this.listPath = matchListPath(spec.index); // one string per attribute
      const isOperation = spec.outputAttribute == OPERATION_ATTRIBUTE;
      for (let m = 0; m < spec.matches.length; m++) {
        // Between two conditions: what is used below is reachable from `this`, `config` or `diags`.
        if (compiledChars > 0) collectionPoint(GARBAGE_PER_CONDITION + GARBAGE_PER_CHAR * <usize>compiledChars);
        const match = spec.matches[m];
        const condition = match.condition;
        compiledChars = condition.length;
        // The compiled program is all that is kept: the source is garbage once compiled.
        match.condition = "";
        let program: Program | null = null;
        let kept = true;
        if (!isBlank(condition)) {
          program = compile(condition);
          if (program === null) {
            const err = lastError();
            diags.error(match.path + ".condition",
              err !== null ? atColumn(err.reason, err.column) : "invalid expression");
            kept = false;
          }
        }
        // The label is checked only for a match whose condition compiled (one problem per match).
        if (kept && isOperation) kept = labels.admit(match.value, this.listPath, match.index, ".value");
        if (!kept) {
          diags.drop(match.path);
          continue;
        }
        if (program !== null && (program.usesResponse || program.usesFilterState)) g.needsResponse = true;
        g.values.push(isOperation ? IN_OPERATIONS : String.UTF8.encode(match.value));
        g.programs.push(program);
        g.matchInfo.push(isOperation ? this.operationIndex(match.value) : -1);
        g.matchInfo.push(match.index);
      }
    }
    this.atRequest = [];
    this.labels = null;
    this.listPath = "";
    for (let i = 0; i < all.length; i++) all[i].conditions = ConditionIndex.build(all[i].programs);
    // ON_REQUEST generators first, then the AFTER_RESPONSE ones, each in configuration order.
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < all.length; i++) {
        const g = all[i];
        if ((g.phase == Phase.OnRequest) != (pass == 0)) continue;
        if (pass == 1 && writtenAtLog(all, g.attributeText)) this.atLog.push(g);
        else this.atRequest.push(g);
      }
    }
    this.operations.freeze();
  }

  private countError(): void {
    this.runtimeErrors++;
    if (this.errorCounter == 0) {
      const id = defineMetric(MetricType.Counter, this.errorCounterName);
      this.errorCounter = id == NO_METRIC ? u32.MAX_VALUE : id;
    }
    if (this.errorCounter != u32.MAX_VALUE) incrementMetric(this.errorCounter, 1);
  }

  private operationIndex(value: string): i32 {
    return this.operations.add(value);
  }

  // Each phase is one evaluation round; its end drops what the round fetched (the path, headers),
  // so they are garbage for the collection at the end of the callback instead of staying
  // reachable until the next request (two long paths live at once).
  onRequestHeaders(stream: StreamState): void {
    if (this.atRequest.length == 0) return;
    const act = this.activation;
    act.reset();
    this.run(this.atRequest, stream);
    act.endRound();
  }

  onLog(stream: StreamState): void {
    if (this.atLog.length == 0 && stream.requestSeen) return;
    const act = this.activation;
    act.reset();
    // A stream that never reached request headers still gets its request-phase attributes.
    if (!stream.requestSeen) this.run(this.atRequest, stream);
    this.run(this.atLog, stream);
    act.endRound();
  }

  private run(generators: Generator[], stream: StreamState): void {
    for (let i = 0; i < generators.length; i++) {
      const g = unchecked(generators[i]);
      const matched = this.runGenerator(g, stream);
      if (this.debug && matched == -1) {
        log(LogLevel.Info, LOG_PREFIX + index("attributes", g.index) + ": no condition matched; " +
          g.attributeText + " not set");
      }
    }
  }

  /** Index of the match that wrote the attribute, -1 when none matched, -2 on an evaluation error. */
  private runGenerator(g: Generator, stream: StreamState): i32 {
    const programs = g.programs;
    const count = programs.length;
    // Every condition in order, or only those the index leaves (the others are false).
    const index = g.conditions;
    let m = index !== null ? index.first(this.activation) : 0;
    for (; m >= 0 && m < count; m = index !== null ? index.next() : m + 1) {
      const program = refAt(programs, m);
      const result = program === null ? 1 : program.evalBool(this.activation);
      if (result < 0) {
        // attributegen: an error ends this attribute's evaluation (later matches, even an empty
        // default, are not tried) and nothing is written.
        this.countError();
        if (this.debug) {
          log(LogLevel.Info, LOG_PREFIX + matchPath(g, m) + ": evaluation error: " + program!.lastErrorMessage() + "; " +
            g.attributeText + " not set");
        }
        return -2;
      }
      if (result == 1) {
        const op = i32At(g.matchInfo, 2 * m);
        if (op >= 0) {
          setPropertyBytes(g.attributeName, this.operations.ptr(op), this.operations.len(op));
          stream.series = op;
        } else {
          setProperty(g.attributeName, unchecked(g.values[m]));
        }
        if (this.debug) {
          // The value's text, from the bytes written (valid UTF-8: the configuration's text).
          const text = op >= 0 ? this.operations.text(op) : String.UTF8.decode(unchecked(g.values[m]));
          log(LogLevel.Info, LOG_PREFIX + g.attributeText + "=\"" + text + "\" (" + matchPath(g, m) + ")");
        }
        return m;
      }
    }
    return -1;
  }
}

/** `attributes[2].match[1]`: where match m of generator g is in the configuration (debug lines). */
function matchPath(g: Generator, m: i32): string {
  return index(matchListPath(g.index), g.matchInfo[2 * m + 1]);
}

/** An attribute moves to request headers only if every AFTER_RESPONSE generator writing it can. */
function writtenAtLog(all: Generator[], attribute: string): bool {
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (g.phase == Phase.AfterResponse && g.needsResponse && g.attributeText == attribute) return true;
  }
  return false;
}

/** Whether a value written to the operation attribute could change as a metric label (see OperationLabels). */
function anyOperationMayChangeAsLabel(config: AttributeGenConfig): bool {
  for (let a = 0; a < config.attributes.length; a++) {
    const spec = config.attributes[a];
    if (spec.outputAttribute != OPERATION_ATTRIBUTE) continue;
    for (let m = 0; m < spec.matches.length; m++) if (mayChangeAsLabel(spec.matches[m].value)) return true;
  }
  return false;
}

/** Whether `s` is empty or only whitespace (String#trim's set): the always-true default entry (no copy, unlike trim()). */
function isBlank(s: string): bool {
  for (let i = 0; i < s.length; i++) if (!isSpace(<u32>load<u16>(changetype<usize>(s) + (<usize>i << 1)))) return false;
  return true;
}
