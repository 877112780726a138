// Envoy histograms: circllhist storage, bucket settings and the numbers /stats/prometheus prints.
//
// Envoy records every histogram sample into a circllhist (openhistogram/libcircllhist, via
// hist_insert_intscale(value, 0, 1); the uint64 is passed as int64). circllhist keeps log-linear
// bins with 2 significant decimal digits: 5 → [5.0, 5.1), 12 → [12, 13), 100 → [100, 110),
// 1234 → [1200, 1300). Envoy's Prometheus buckets are hist_approx_count_below(bound): the samples of
// every bin whose UPPER edge is ≤ bound (envoy source/common/stats/histogram_impl.cc
// HistogramStatisticsImpl::refresh). So a sample counts in `le="b"` only when its whole bin fits:
// 24 → [24, 25) is in le="25", but 25 → [25, 26) is first counted in le="50", and 1 → [1.0, 1.1)
// is first counted in le="5". _sum is hist_approx_sum: Σ bin midpoint × count (12 → 12.5), printed
// with fmt "{:.32g}", so 5 → "5.0499999999999998223643160599750".
//
// Bucket bounds: Envoy's defaults, or stats_config.histogram_bucket_settings, which Istio renders
// from the pod annotation sidecar.istio.io/statsHistogramBuckets ({"<prefix>": [bounds]}) sorted by
// prefix (istio pkg/bootstrap/config.go); Envoy takes the first rule whose prefix matches the FULL
// stat name (thread_local_store.cc passes final_stat_name, e.g. "wasmcustom.route_name=.=…;.;x"),
// and sorts each rule's bounds (HistogramSettingsImpl).

/** Envoy's default buckets (HistogramSettingsImpl::defaultBuckets), designed for milliseconds. */
export const DEFAULT_HISTOGRAM_BUCKETS: readonly number[] = Object.freeze([
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
]);

// circllhist's power_of_ten[] table for the exponents integer samples reach (0…19): the double
// literals 1, 10, …, 1e+19, which JS parses to the same doubles.
const POW10: readonly number[] = Array.from({ length: 20 }, (_, i) => Number(`1e${i}`));

/** One circllhist bin: val in ±10…99 (0 = the zero bin), exponent 0…19 for integer samples. */
interface Bin {
  val: number;
  exp: number;
  count: number;
}

/** Bin lower bound, width, upper edge and midpoint, computed with circllhist's double arithmetic. */
function binBound(b: Bin): number {
  return b.val === 0 ? 0 : (b.val / 10.0) * POW10[b.exp]!;
}
function binWidth(b: Bin): number {
  return b.val === 0 ? 0 : POW10[b.exp]! / 10.0;
}
/** hist_approx_count_below: a negative bin's "upper" is its bound; others bound + width. */
function binUpper(b: Bin): number {
  const bound = binBound(b);
  return bound < 0 ? bound : bound + binWidth(b);
}
function binMidpoint(b: Bin): number {
  if (b.val === 0) return 0;
  const bound = binBound(b);
  const w = binWidth(b);
  return bound + (bound < 0 ? -w : w) / 2.0;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A circllhist fed like Envoy feeds it: integer samples, aggregated into bins as they arrive
 * (no per-sample storage), so recording is O(1) and rendering is O(bins).
 */
export class Circllhist {
  /** Number of samples (hist_sample_count). */
  count = 0;
  private readonly bins = new Map<number, Bin>();

  /** Records one uint64 sample (bigint, or a non-negative safe integer as a number). */
  record(value: bigint | number): void {
    this.count++;
    if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      this.recordSafe(Math.floor(value));
      return;
    }
    this.recordBig(BigInt.asIntN(64, BigInt(value)));
  }

  private recordSafe(v: number): void {
    if (v === 0) {
      this.add(0, 0);
      return;
    }
    // int_scale_to_hist_bucket(v, 0): keep the 2 leading digits, count the dropped ones in exp.
    if (v < 10) {
      this.add(v * 10, 0);
      return;
    }
    let exp = 1;
    while (v >= 100) {
      v = Math.floor(v / 10);
      exp++;
    }
    this.add(v, exp);
  }

  /** Values ≥ 2^63 arrive in circllhist as negative int64 (Envoy passes the uint64 through). */
  private recordBig(v: bigint): void {
    if (v === 0n) {
      this.add(0, 0);
      return;
    }
    let sign = 1;
    if (v < 0n) {
      v = v === INT64_MIN ? INT64_MAX : -v;
      sign = -1;
    }
    let exp = 1;
    if (v < 10n) {
      v *= 10n;
      exp = 0;
    }
    while (v >= 100n) {
      v /= 10n;
      exp++;
    }
    this.add(sign * Number(v), exp);
  }

  private add(val: number, exp: number): void {
    const key = val * 32 + exp; // val in -99…99, exp in 0…19: unique
    const b = this.bins.get(key);
    if (b) b.count++;
    else this.bins.set(key, { val, exp, count: 1 });
  }

  /** Bins in circllhist order (ascending on the real axis). */
  private sortedBins(): Bin[] {
    return [...this.bins.values()].sort((a, b) => binBound(a) - binBound(b));
  }

  /** hist_approx_count_below for each bound (bounds ascending): cumulative Prometheus buckets. */
  countsBelow(bounds: readonly number[]): number[] {
    const bins = this.sortedBins();
    return bounds.map((bound) => {
      let n = 0;
      for (const b of bins) {
        if (binUpper(b) <= bound) n += b.count;
        else break;
      }
      return n;
    });
  }

  /** hist_approx_sum: Σ midpoint × count, accumulated in bin order like circllhist. */
  approxSum(): number {
    let sum = 0.0;
    for (const b of this.sortedBins()) sum += binMidpoint(b) * b.count;
    return sum;
  }

  /** [lower, upper) of the bin `value` lands in (for documentation and tests). */
  static binOf(value: number): [number, number] {
    const h = new Circllhist();
    h.record(value);
    const b = [...h.bins.values()][0]!;
    return [binBound(b), binBound(b) + binWidth(b)];
  }
}

/** stats_config.histogram_bucket_settings: first rule whose prefix matches the full stat name. */
export class HistogramBucketSettings {
  private readonly rules: { prefix: string; buckets: readonly number[] }[] = [];

  /** `settings` as in sidecar.istio.io/statsHistogramBuckets: {"<stat name prefix>": [bounds]}. */
  constructor(settings: Readonly<Record<string, readonly number[]>> = {}) {
    for (const prefix of Object.keys(settings)) {
      const raw = settings[prefix];
      if (!Array.isArray(raw) || raw.length === 0) {
        throw new Error(`stats.histogramBuckets["${prefix}"]: needs at least one bucket (Envoy's HistogramBucketSettings.buckets min_items: 1)`);
      }
      raw.forEach((b, i) => {
        if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0) {
          throw new Error(`stats.histogramBuckets["${prefix}"][${i}]: ${JSON.stringify(b)} is not a number > 0 (Envoy validates buckets gt: 0)`);
        }
      });
      this.rules.push({ prefix, buckets: Object.freeze([...raw].sort((a, b) => a - b)) });
    }
    // Istio sorts the rules by prefix (Go string order = byte order), so a shorter prefix of a
    // longer one comes first and wins.
    this.rules.sort((a, b) => Buffer.compare(Buffer.from(a.prefix), Buffer.from(b.prefix)));
  }

  bucketsFor(fullStatName: string): readonly number[] {
    for (const r of this.rules) if (fullStatName.startsWith(r.prefix)) return r.buckets;
    return DEFAULT_HISTOGRAM_BUCKETS;
  }
}

/**
 * fmt "{:.32g}" (printf "%.32g"): 32 significant digits, exact decimal expansion, trailing zeros
 * removed, exponent form below 1e-4 or from 1e32 on. Envoy prints `le` and `_sum` this way, so
 * le="0.1" comes out as "0.10000000000000000555111512312578".
 */
export function formatG32(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  // toExponential(31) is the exact value rounded to 32 significant digits, like printf.
  const [mant, expText] = x.toExponential(31).split('e') as [string, string];
  const exp = Number(expText);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 32) {
    const e = Math.abs(exp);
    return `${strip(mant)}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace(/^-/, '').replace('.', ''); // 32 digits
  const fixed = exp >= 0 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : `0.${'0'.repeat(-exp - 1)}${digits}`;
  return sign + strip(fixed);
}
