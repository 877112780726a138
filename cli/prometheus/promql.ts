// Small PromQL building blocks shared by `routes` and `slo`: string literals, label matchers,
// durations and the `le` label values a histogram bound can have once Prometheus stored it.
import { formatG32 } from '../../host/histogram.ts';

/** A PromQL double-quoted string (Go escapes; JSON's escapes are a subset Prometheus accepts). */
export function promqlString(s: string): string {
  return JSON.stringify(s);
}

/** `label="value"` */
export function eq(label: string, value: string): string {
  return `${label}=${promqlString(value)}`;
}

/** `label=~"a|b"` for literal alternatives (RE2, anchored by Prometheus). */
export function oneOf(label: string, values: readonly string[]): string {
  return `${label}=~${promqlString(values.map(regexLiteral).join('|'))}`;
}

/** Escapes RE2 metacharacters so that `s` matches only itself. */
export function regexLiteral(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

/** `{m1, m2}` (empty string when there is no matcher). */
export function selector(matchers: readonly string[]): string {
  return matchers.length === 0 ? '' : `{${matchers.join(', ')}}`;
}

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Milliseconds of a Prometheus duration ("1m", "1h30m", "500ms"), or undefined when it is not one (or zero). */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i]!;
  return ms > 0 ? ms : undefined;
}

/**
 * Go's strconv.FormatFloat(x, 'g', -1, 64): the shortest digits, in exponent form when the
 * exponent is below -4 or at least 6 (Go uses precision 6 for that decision when printing the
 * shortest form), with at least two exponent digits.
 */
export function goFormatFloat(x: number): string {
  if (x === 0) return '0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return sign + (frac ? `${whole}.${frac}` : whole);
}

/** Prometheus' labels.FormatOpenMetricsFloat: Go's shortest form, with ".0" when it has neither '.' nor 'e'. */
export function openMetricsFloat(x: number): string {
  if (x === 1) return '1.0';
  if (x === 0) return '0.0';
  if (x === -1) return '-1.0';
  const s = goFormatFloat(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * The `le` values a bucket bound can have in Prometheus: as Envoy prints it ("{:.32g}", kept as is
 * by Prometheus 2) and as Prometheus 3 normalizes classic-histogram bounds on ingestion ("250" →
 * "250.0"). Select with `le=~` over both so rules work on either version.
 */
export function leValues(bound: number): string[] {
  return [...new Set([formatG32(bound), openMetricsFloat(bound)])];
}

/** `le=~"250|250\\.0"` */
export function leMatcher(bound: number): string {
  return oneOf('le', leValues(bound));
}
