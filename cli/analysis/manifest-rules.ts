// lint's checks of the Istio resources themselves: WasmPlugin (extensions.istio.io/v1alpha1) and
// Telemetry (telemetry.istio.io/v1, v1alpha1), by the rules of Istio's CRDs (istio/api
// kubernetes/customresourcedefinitions.gen.yaml, 1.30): the structural schema (types, enums,
// patterns, lengths, required and unknown fields), the CRDs' x-kubernetes-validations CEL rules
// translated to code (tagged with the CRD's message, so tests can hold them against the schema),
// and the targetRef kinds Istio's validation webhook accepts. A plain JSON-schema validator misses
// the CEL rules: `selector` together with `targetRefs`, an `ftp://` url, a cross-namespace
// targetRef all pass one.
import { checkField, type ArrayRule, type CustomCheck, type FieldProblem, type FieldRule, type ObjectRule, type StringRule } from './field-rules.ts';

type Obj = Record<string, unknown>;

/** A CRD CEL rule written as code; `cel` is the rule's message in the CRD. */
export type CelCheck<T> = CustomCheck<T> & { cel: string };

function cel<T>(message: string, check: (value: T, fail: (detail?: string, path?: string) => void, path: string) => void): CelCheck<T> {
  const fn: CustomCheck<T> = (value, path, problem) => check(value, (detail, at) => problem(at ?? path, detail ? `${detail} (${message})` : message), path);
  return Object.assign(fn, { cel: message });
}

const has = (o: Obj, key: string) => o[key] !== undefined && o[key] !== null;

// ───────────────────────────────────────────────────────────── enums (the CRDs' Valid Options)

export const WASM_PHASES = ['UNSPECIFIED_PHASE', 'AUTHN', 'AUTHZ', 'STATS'] as const;
export const WASM_FAIL_STRATEGIES = ['FAIL_CLOSE', 'FAIL_OPEN', 'FAIL_RELOAD'] as const;
export const WASM_PULL_POLICIES = ['UNSPECIFIED_POLICY', 'IfNotPresent', 'Always'] as const;
export const WASM_PLUGIN_TYPES = ['UNSPECIFIED_PLUGIN_TYPE', 'HTTP', 'NETWORK'] as const;
export const WASM_MATCH_MODES = ['UNDEFINED', 'CLIENT', 'SERVER', 'CLIENT_AND_SERVER'] as const;
export const WASM_ENV_SOURCES = ['INLINE', 'HOST'] as const;
export const TELEMETRY_MODES = ['CLIENT_AND_SERVER', 'CLIENT', 'SERVER'] as const;
export const TELEMETRY_METRICS = ['ALL_METRICS', 'REQUEST_COUNT', 'REQUEST_DURATION', 'REQUEST_SIZE', 'RESPONSE_SIZE',
  'TCP_OPENED_CONNECTIONS', 'TCP_CLOSED_CONNECTIONS', 'TCP_SENT_BYTES', 'TCP_RECEIVED_BYTES', 'GRPC_REQUEST_MESSAGES',
  'GRPC_RESPONSE_MESSAGES'] as const;
export const TAG_OPERATIONS = ['UPSERT', 'REMOVE'] as const;

const str = (extra: Omit<StringRule, 'type'> = {}): StringRule => ({ type: 'string', ...extra });
const oneOf = (values: readonly string[]): StringRule => ({ type: 'string', enum: values });

// ───────────────────────────────────────────────────────────── placement: selector, targetRef(s)

const noWildcardValue = cel<string>('wildcard not allowed in label value match', (v, fail) => {
  if (v.includes('*')) fail(JSON.stringify(v));
});
const noWildcardKey = cel<Obj>('wildcard not allowed in label key match', (labels, fail, path) => {
  for (const k of Object.keys(labels)) if (k.includes('*')) fail(JSON.stringify(k), `${path}[${JSON.stringify(k)}]`);
});
const noEmptyKey = cel<Obj>('key must not be empty', (labels, fail) => {
  if (Object.keys(labels).some((k) => k.length === 0)) fail();
});

const selectorRule: ObjectRule = {
  type: 'object',
  fields: {
    matchLabels: { type: 'object', maxProperties: 4096, values: str({ maxLength: 63, checks: [noWildcardValue] }), checks: [noWildcardKey, noEmptyKey] },
  },
};

const sameNamespace = cel<string>('cross namespace referencing is not currently supported', (ns, fail) => {
  if (ns.length !== 0) fail(`${JSON.stringify(ns)}: leave namespace out; the target must be in the resource's own namespace`);
});

/** Istio's validation webhook (pkg/config/validation: allowedTargetRefs): group + kind pairs. */
export const ALLOWED_TARGET_KINDS: ReadonlyArray<{ group: string; kind: string }> = [
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
  { group: '', kind: 'Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry' },
];

const allowedTargetKind: CustomCheck<Obj> = (ref, path, problem) => {
  if (typeof ref.kind !== 'string') return;
  const group = typeof ref.group === 'string' ? ref.group : '';
  const canonical = (g: string) => (g === '' || g === 'core' ? '' : g);
  if (ALLOWED_TARGET_KINDS.some((a) => a.kind === ref.kind && canonical(a.group) === canonical(group))) return;
  const sameKind = ALLOWED_TARGET_KINDS.find((a) => a.kind === ref.kind);
  const list = ALLOWED_TARGET_KINDS.map((a) => `${a.kind} (${a.group || 'core'})`).join(', ');
  problem(sameKind ? `${path}.group` : `${path}.kind`, sameKind
    ? `${ref.kind} needs group ${JSON.stringify(sameKind.group)}${group ? `, not ${JSON.stringify(group)}` : ' (group left out means the core group)'} (Istio's validation webhook)`
    : `${JSON.stringify(ref.kind)} cannot be targeted; Istio's validation webhook accepts ${list}`);
};

const DNS_SUBDOMAIN_GROUP = '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const KIND_NAME = '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$';

const targetRefRule: ObjectRule = {
  type: 'object',
  required: ['kind', 'name'],
  fields: {
    group: str({ maxLength: 253, pattern: { source: DNS_SUBDOMAIN_GROUP, means: 'is not an API group (lower-case DNS name, e.g. gateway.networking.k8s.io; empty for the core group)' } }),
    kind: str({ minLength: 1, maxLength: 63, pattern: { source: KIND_NAME, means: 'is not a kind name (e.g. Gateway)' } }),
    name: str({ minLength: 1, maxLength: 253 }),
    namespace: str({ checks: [sameNamespace] }),
  },
  checks: [allowedTargetKind],
};

const targetRefsRule: ArrayRule = { type: 'array', items: targetRefRule, maxItems: 16 };

const onePlacement = cel<Obj>('only one of targetRefs or selector can be set', (spec, fail) => {
  const set = ['selector', 'targetRef', 'targetRefs'].filter((k) => has(spec, k));
  if (set.length > 1) fail(`${set.join(' and ')} are both set`);
});

// ───────────────────────────────────────────────────────────── WasmPlugin

/** Go's url.ParseRequestURI, as far as the CRD's isURL() needs it: valid?, and the scheme. */
export function parseRequestUri(raw: string): { scheme: string } | null {
  if (/[\x00-\x1f\x7f]/.test(raw)) return null;
  let scheme = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return null; // "missing protocol scheme"
      scheme = raw.slice(0, i);
    }
    break;
  }
  let rest = scheme ? raw.slice(scheme.length + 1) : raw;
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) return scheme ? { scheme: scheme.toLowerCase() } : null; // opaque, or "invalid URI for request"
  if (scheme && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    let host = rest.slice(2, end < 0 ? undefined : end);
    host = host.slice(host.lastIndexOf('@') + 1);
    if (host.startsWith('[')) {
      const close = host.indexOf(']');
      if (close < 0) return null;
      host = host.slice(close + 1);
      if (host !== '' && !/^:\d*$/.test(host)) return null;
    } else {
      const colon = host.lastIndexOf(':');
      if (colon >= 0 && !/^\d*$/.test(host.slice(colon + 1))) return null;
      if (!/^(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*$/.test(host)) return null;
    }
  }
  return { scheme: scheme.toLowerCase() };
}

export const WASM_URL_SCHEMES = ['', 'http', 'https', 'oci', 'file'];

const urlScheme = cel<string>('url must have schema one of [http, https, file, oci]', (url, fail) => {
  // isURL(self) ? scheme in [...] : isURL("http://" + self) && scheme("http://" + self) in [...]
  const own = parseRequestUri(url);
  if (own) {
    if (!WASM_URL_SCHEMES.includes(own.scheme)) {
      fail(`${JSON.stringify(url)} has scheme ${JSON.stringify(own.scheme)}${/^[^/]+:\d+\//.test(url) ? `; a registry with a port needs oci://, e.g. oci://${url}` : ''}`);
    }
    return;
  }
  const asHttp = parseRequestUri('http://' + url);
  if (!asHttp || !WASM_URL_SCHEMES.includes(asHttp.scheme)) fail(`${JSON.stringify(url)} is not a URL`);
});

const inlineValueOnly = cel<Obj>('value may only be set when valueFrom is INLINE', (env, fail, path) => {
  if (env.valueFrom === 'HOST' && has(env, 'value')) fail(undefined, `${path}.value`);
});

const wasmPluginSpec: ObjectRule = {
  type: 'object',
  required: ['url'],
  fields: {
    failStrategy: oneOf(WASM_FAIL_STRATEGIES),
    imagePullPolicy: oneOf(WASM_PULL_POLICIES),
    imagePullSecret: str({ minLength: 1, maxLength: 253 }),
    match: {
      type: 'array',
      items: {
        type: 'object',
        fields: {
          mode: oneOf(WASM_MATCH_MODES),
          ports: { type: 'array', mapKeys: ['number'], items: { type: 'object', required: ['number'], fields: { number: { type: 'integer', minimum: 1, maximum: 65535 } } } },
        },
      },
    },
    phase: oneOf(WASM_PHASES),
    pluginConfig: { type: 'object', preserveUnknown: true },
    pluginName: str({ minLength: 1, maxLength: 256 }),
    priority: { type: 'integer', format: 'int32' },
    selector: selectorRule,
    sha256: str({ pattern: { source: '(^$|^[a-f0-9]{64}$)', means: 'is not a SHA-256 checksum (64 lower-case hex digits, or empty)' } }),
    targetRef: targetRefRule,
    targetRefs: targetRefsRule,
    type: oneOf(WASM_PLUGIN_TYPES),
    url: str({ minLength: 1, checks: [urlScheme] }),
    verificationKey: str(),
    vmConfig: {
      type: 'object',
      fields: {
        env: {
          type: 'array',
          maxItems: 256,
          mapKeys: ['name'],
          items: {
            type: 'object',
            required: ['name'],
            fields: { name: str({ minLength: 1, maxLength: 256 }), value: str({ maxLength: 2048 }), valueFrom: oneOf(WASM_ENV_SOURCES) },
            checks: [inlineValueOnly],
          },
        },
      },
    },
  },
  checks: [onePlacement],
};

// ───────────────────────────────────────────────────────────── Telemetry

const upsertNeedsValue = cel<Obj>('value must be set when operation is UPSERT', (t, fail, path) => {
  // ((has(self.operation) ? self.operation : "") == "UPSERT") ? (self.value != "") : true
  if (t.operation === 'UPSERT' && (typeof t.value !== 'string' || t.value === '')) fail(undefined, `${path}.value`);
});
const removeHasNoValue = cel<Obj>('value must not be set when operation is REMOVE', (t, fail, path) => {
  if (t.operation === 'REMOVE' && has(t, 'value')) fail(undefined, `${path}.value`);
});
/** Not a CRD rule: with the operation left out it is UPSERT, and an empty expression is no label. */
const defaultUpsertNeedsValue: CustomCheck<Obj> = (t, path, problem) => {
  if (!has(t, 'operation') && (typeof t.value !== 'string' || t.value === '')) {
    problem(`${path}.value`, 'not set: the operation defaults to UPSERT, which needs a CEL expression (e.g. filter_state[\'wasm.istio_operationId\'])', 'warning');
  }
};

/** A Go duration as CEL's duration() reads it ("10s", "1m30s", "250ms"), in milliseconds. */
export function goDurationMs(text: string): number | null {
  const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
  const m = /^([-+]?)(.+)$/.exec(text);
  if (!m) return null;
  if (m[2] === '0') return 0;
  let total = 0;
  let rest = m[2]!;
  while (rest.length > 0) {
    const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part) return null;
    total += Number(part[1]) * UNIT_MS[part[2]!]!;
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}

const atLeastOneMs = cel<string>('must be a valid duration greater than 1ms', (d, fail) => {
  const ms = goDurationMs(d);
  if (ms === null) fail(`${JSON.stringify(d)} is not a duration (e.g. "10s", "1m")`);
  else if (ms < 1) fail(JSON.stringify(d));
});

/** At most one of `keys` (the CRD's oneOf of "required: [key]" alternatives). */
function atMostOne(keys: readonly string[]): CustomCheck<Obj> {
  return (o, path, problem) => {
    const set = keys.filter((k) => has(o, k));
    if (set.length > 1) problem(path, `${set.join(' and ')} exclude each other: set one of ${keys.join(', ')}`);
  };
}

const providers: ArrayRule = { type: 'array', items: { type: 'object', required: ['name'], fields: { name: str({ minLength: 1 }) } } };
const modeMatch: ObjectRule = { type: 'object', fields: { mode: oneOf(TELEMETRY_MODES) } };
const nameAndDefault: ObjectRule = { type: 'object', required: ['name'], fields: { defaultValue: str(), name: str({ minLength: 1 }) } };
const valueOnly: ObjectRule = { type: 'object', required: ['value'], fields: { value: str({ minLength: 1 }) } };

const telemetrySpec: ObjectRule = {
  type: 'object',
  fields: {
    accessLogging: {
      type: 'array',
      items: { type: 'object', fields: { disabled: { type: 'boolean' }, filter: { type: 'object', fields: { expression: str() } }, match: modeMatch, providers } },
    },
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        fields: {
          overrides: {
            type: 'array',
            items: {
              type: 'object',
              fields: {
                disabled: { type: 'boolean' },
                match: {
                  type: 'object',
                  fields: { customMetric: str({ minLength: 1 }), metric: oneOf(TELEMETRY_METRICS), mode: oneOf(TELEMETRY_MODES) },
                  checks: [atMostOne(['metric', 'customMetric'])],
                },
                tagOverrides: {
                  type: 'object',
                  values: { type: 'object', fields: { operation: oneOf(TAG_OPERATIONS), value: str() }, checks: [upsertNeedsValue, removeHasNoValue, defaultUpsertNeedsValue] },
                },
              },
            },
          },
          providers,
          reportingInterval: str({ checks: [atLeastOneMs] }),
        },
      },
    },
    selector: selectorRule,
    targetRef: targetRefRule,
    targetRefs: targetRefsRule,
    tracing: {
      type: 'array',
      items: {
        type: 'object',
        fields: {
          customTags: {
            type: 'object',
            values: {
              type: 'object',
              fields: { environment: nameAndDefault, formatter: valueOnly, header: nameAndDefault, literal: valueOnly },
              checks: [atMostOne(['literal', 'environment', 'header', 'formatter'])],
            },
          },
          disableContextPropagation: { type: 'boolean' },
          disableSpanReporting: { type: 'boolean' },
          enableIstioTags: { type: 'boolean' },
          match: modeMatch,
          providers,
          randomSamplingPercentage: { type: 'number', minimum: 0, maximum: 100 },
          useRequestIdForTraceSampling: { type: 'boolean' },
        },
      },
    },
  },
  checks: [onePlacement],
};

// ───────────────────────────────────────────────────────────── the resource around the spec

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const objectMeta: ObjectRule = {
  type: 'object',
  preserveUnknown: true, // ObjectMeta has many fields; these are the ones that go wrong by hand
  fields: {
    name: str({ maxLength: 253, pattern: { source: DNS_SUBDOMAIN.source, means: 'is not a valid name (lower-case letters, digits, \'-\' and \'.\'; starts and ends with a letter or digit)' } }),
    namespace: str({ maxLength: 63, pattern: { source: DNS_LABEL.source, means: 'is not a valid namespace (lower-case letters, digits and \'-\'; starts and ends with a letter or digit)' } }),
    labels: { type: 'object', values: str({ maxLength: 63 }) },
    annotations: { type: 'object', values: str() },
  },
  checks: [(meta, path, problem) => {
    if (!has(meta, 'name') && !has(meta, 'generateName')) problem(`${path}.name`, 'required');
  }],
};

/** The CRD schema of each kind: its API versions and its spec. */
export const MANIFEST_KINDS: Record<string, { apiVersions: readonly string[]; spec: ObjectRule; schemaFiles: readonly string[] }> = {
  WasmPlugin: { apiVersions: ['extensions.istio.io/v1alpha1'], spec: wasmPluginSpec, schemaFiles: ['wasmplugin.v1alpha1.json'] },
  Telemetry: { apiVersions: ['telemetry.istio.io/v1', 'telemetry.istio.io/v1alpha1'], spec: telemetrySpec, schemaFiles: ['telemetry.v1.json', 'telemetry.v1alpha1.json'] },
};

/** The rule for a whole resource of `kind` (apiVersion, kind, metadata, spec, status). */
export function resourceRule(kind: keyof typeof MANIFEST_KINDS): ObjectRule {
  const k = MANIFEST_KINDS[kind]!;
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    fields: {
      apiVersion: oneOf(k.apiVersions),
      kind: str(),
      metadata: objectMeta,
      spec: k.spec,
      status: { type: 'object', preserveUnknown: true },
    },
  };
}

/** Every problem in one WasmPlugin or Telemetry document (other kinds: none). */
export function checkManifest(doc: Obj): FieldProblem[] {
  const kind = doc.kind;
  if (kind !== 'WasmPlugin' && kind !== 'Telemetry') return [];
  const out: FieldProblem[] = [];
  checkField(doc, resourceRule(kind), '', out);
  return out;
}

/** "WasmPlugin podinfo/route-metrics": how findings name the document. */
export function manifestLabel(doc: Obj): string {
  const meta = (typeof doc.metadata === 'object' && doc.metadata !== null ? doc.metadata : {}) as Obj;
  const name = typeof meta.name === 'string' ? meta.name : '(no name)';
  return `${String(doc.kind)} ${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${name}`;
}

export type { FieldRule };
