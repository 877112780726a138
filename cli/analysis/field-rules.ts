// A small checker for Kubernetes resource fields, for lint's manifest checks (manifest-rules.ts
// holds Istio's rules written with it). It covers what a CRD's structural schema says — types,
// enums, patterns, lengths, bounds, required and unknown fields, list-map keys — and runs the
// rules a schema cannot express (the CRDs' x-kubernetes-validations CEL rules, Istio's webhook) as
// plain functions. Every problem names its field path: `spec.targetRefs[0].kind: …`.

export interface FieldProblem {
  level: 'error' | 'warning';
  path: string;
  message: string;
}

/** A rule written as code: reports through `problem(path, message)`; `path` is the value's own. */
export type CustomCheck<T> = (value: T, path: string, problem: (path: string, message: string, level?: FieldProblem['level']) => void) => void;

interface Common<T> {
  /** CEL rules and webhook rules, run once the value has the right type. */
  checks?: CustomCheck<T>[];
}

export interface StringRule extends Common<string> {
  type: 'string';
  enum?: readonly string[];
  /** The CRD's regular expression (JavaScript syntax), and what it means in words. */
  pattern?: { source: string; means: string };
  minLength?: number;
  maxLength?: number;
}

export interface NumberRule extends Common<number> {
  type: 'integer' | 'number';
  minimum?: number;
  maximum?: number;
  /** int32 / int64 range for integers. */
  format?: 'int32';
}

export interface BooleanRule extends Common<boolean> {
  type: 'boolean';
}

export interface ObjectRule extends Common<Record<string, unknown>> {
  type: 'object';
  fields?: Record<string, FieldRule>;
  required?: readonly string[];
  /** Rule for the values of a map (additionalProperties). */
  values?: FieldRule;
  maxProperties?: number;
  /** x-kubernetes-preserve-unknown-fields: anything goes inside. */
  preserveUnknown?: boolean;
}

export interface ArrayRule extends Common<unknown[]> {
  type: 'array';
  items: FieldRule;
  maxItems?: number;
  /** x-kubernetes-list-type: map — these keys identify an item; two items may not share them. */
  mapKeys?: readonly string[];
}

export type FieldRule = StringRule | NumberRule | BooleanRule | ObjectRule | ArrayRule;

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

const TYPE_NAMES: Record<FieldRule['type'], string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false', object: 'a mapping', array: 'a list',
};

/** Levenshtein distance, for "did you mean" on enums and field names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest candidate when it is a plausible typo (case-insensitive, small edit distance). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.min(3, Math.floor(word.length / 3))) ? best : undefined;
}

const child = (path: string, key: string) => (path === '' ? key : /^[A-Za-z_][\w-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/** Checks `value` against `rule`; problems are appended to `out`. */
export function checkField(value: unknown, rule: FieldRule, path: string, out: FieldProblem[]): void {
  const problem = (p: string, message: string, level: FieldProblem['level'] = 'error') => out.push({ level, path: p, message });
  const typeOk =
    rule.type === 'string' ? typeof value === 'string' :
    rule.type === 'integer' ? typeof value === 'number' && Number.isInteger(value) :
    rule.type === 'number' ? typeof value === 'number' && Number.isFinite(value) :
    rule.type === 'boolean' ? typeof value === 'boolean' :
    rule.type === 'object' ? typeof value === 'object' && value !== null && !Array.isArray(value) :
    Array.isArray(value);
  if (!typeOk) {
    problem(path, `must be ${TYPE_NAMES[rule.type]}, found ${kindOf(value)}`);
    return;
  }
  switch (rule.type) {
    case 'string': {
      const s = value as string;
      if (rule.enum && !rule.enum.includes(s)) {
        const guess = closest(s, rule.enum);
        problem(path, `${JSON.stringify(s)} is not one of ${rule.enum.join(', ')}${guess ? `; did you mean ${guess}?` : ''}`);
      }
      if (rule.minLength !== undefined && s.length < rule.minLength) problem(path, rule.minLength === 1 ? 'must not be empty' : `must be at least ${rule.minLength} characters`);
      if (rule.maxLength !== undefined && s.length > rule.maxLength) problem(path, `must be at most ${rule.maxLength} characters (found ${s.length})`);
      if (rule.pattern && !new RegExp(rule.pattern.source).test(s)) problem(path, `${JSON.stringify(s)} ${rule.pattern.means}`);
      break;
    }
    case 'integer':
    case 'number': {
      const n = value as number;
      if (rule.minimum !== undefined && n < rule.minimum) problem(path, `must be at least ${rule.minimum} (found ${n})`);
      if (rule.maximum !== undefined && n > rule.maximum) problem(path, `must be at most ${rule.maximum} (found ${n})`);
      if (rule.format === 'int32' && (n < INT32[0] || n > INT32[1])) problem(path, `${n} does not fit a 32-bit integer`);
      break;
    }
    case 'object': {
      const o = value as Record<string, unknown>;
      for (const key of rule.required ?? []) if (o[key] === undefined || o[key] === null) problem(child(path, key), 'required');
      const keys = Object.keys(o);
      if (rule.maxProperties !== undefined && keys.length > rule.maxProperties) problem(path, `at most ${rule.maxProperties} entries (found ${keys.length})`);
      for (const key of keys) {
        const v = o[key];
        const sub = rule.fields?.[key] ?? rule.values;
        // Kubernetes treats an explicit null as "not set".
        if (v === null) continue;
        if (sub) checkField(v, sub, child(path, key), out);
        else if (!rule.preserveUnknown) {
          const guess = rule.fields ? closest(key, Object.keys(rule.fields)) : undefined;
          problem(child(path, key), `unknown field${guess ? `; did you mean ${guess}?` : ''} (kubectl's strict field validation rejects it)`);
        }
      }
      break;
    }
    case 'array': {
      const a = value as unknown[];
      if (rule.maxItems !== undefined && a.length > rule.maxItems) problem(path, `at most ${rule.maxItems} items (found ${a.length})`);
      a.forEach((item, i) => checkField(item, rule.items, `${path}[${i}]`, out));
      if (rule.mapKeys) {
        const seen = new Map<string, number>();
        a.forEach((item, i) => {
          if (typeof item !== 'object' || item === null) return;
          const key = JSON.stringify(rule.mapKeys!.map((k) => (item as Record<string, unknown>)[k]));
          const first = seen.get(key);
          if (first !== undefined) problem(`${path}[${i}]`, `duplicate ${rule.mapKeys!.join(', ')} (same as ${path}[${first}]): each item must have its own`);
          else seen.set(key, i);
        });
      }
      break;
    }
  }
  // The rules run whenever the value has the right type (like the API server's CEL rules), so one
  // pass reports every problem; they must not assume their fields are valid.
  for (const check of rule.checks ?? []) (check as CustomCheck<unknown>)(value, path, problem);
}
