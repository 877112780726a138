// Envoy tag extraction (stats_config.stats_tags) with the regexes of Istio's bootstrap.
//
// A Wasm metric has no label parameter: proxy_define_metric(name) creates the stat
// "wasmcustom.<name>", and Envoy's TagProducer turns parts of the flat name into tags
// (envoy source/common/stats/tag_producer_impl.cc, tag_extractor_impl.cc):
// - every extractor runs once, on the ORIGINAL name: std::regex_search (ECMAScript) finds the
//   first match; group 2 (or group 1) is the tag value, group 1 is cut out of the name;
// - the cut ranges of all extractors are unioned and removed → the tag-extracted name;
// - tag order = extractor order = the order of stats_tags in the bootstrap;
// - a tag name listed twice is a bootstrap error ("Tag name '…' specified twice.").
// Istio's bootstrap (tools/packaging/common/envoy_bootstrap.json) sets use_all_default_tags: false
// and lists the regexes below, with one "(<tag>=\.=(.*?);\.;)" per extraStatTags entry inserted
// after mongo_prefix. Stats created with explicit tags (Istio's own istiocustom.* metrics) skip
// extraction (StatNameTagHelper).

export type Tag = readonly [name: string, value: string];

export interface TagSpecifier {
  tagName: string;
  /** std::regex (ECMAScript) source, as in the bootstrap JSON. */
  regex: string;
}

const BOOTSTRAP_HEAD: readonly TagSpecifier[] = [
  { tagName: 'cluster_name', regex: '^cluster\\.((.+?(\\..+?\\.svc\\.cluster\\.local)?)\\.)' },
  { tagName: 'tcp_prefix', regex: '^tcp\\.((.*?)\\.)\\w+?$' },
  { tagName: 'response_code', regex: '_rq(_(\\d{3}))$' },
  { tagName: 'response_code_class', regex: '_rq(_(\\dxx))$' },
  {
    tagName: 'http_conn_manager_listener_prefix',
    regex: '^listener(?=\\.).*?\\.http\\.(((?:[_.[:digit:]]*|[_\\[\\]aAbBcCdDeEfF[:digit:]]*))\\.)',
  },
  { tagName: 'http_conn_manager_prefix', regex: '^http\\.(((?:[_.[:digit:]]*|[_\\[\\]aAbBcCdDeEfF[:digit:]]*))\\.)' },
  { tagName: 'listener_address', regex: '^listener\\.(((?:[_.[:digit:]]*|[_\\[\\]aAbBcCdDeEfF[:digit:]]*))\\.)' },
  { tagName: 'mongo_prefix', regex: '^mongo\\.(.+?)\\.(collection|cmd|cx_|op_|delays_|decoding_)(.*?)$' },
];

const BOOTSTRAP_TAIL: readonly TagSpecifier[] = [
  { tagName: 'cache', regex: '(cache\\.(.+?)\\.)' },
  { tagName: 'component', regex: '(component\\.(.+?)\\.)' },
  { tagName: 'tag', regex: '(tag\\.(.+?);\\.)' },
  { tagName: 'wasm_filter', regex: '(wasm_filter\\.(.+?)\\.)' },
  { tagName: 'authz_enforce_result', regex: 'rbac(\\.(allowed|denied))' },
  { tagName: 'authz_dry_run_action', regex: '(\\.istio_dry_run_(allow|deny)_)' },
  { tagName: 'authz_dry_run_result', regex: '(\\.shadow_(allowed|denied))' },
];

/**
 * The stats_tags Istio's bootstrap renders for these extraStatTags (union of meshConfig
 * defaultConfig.extraStatTags, proxy.istio.io/config and sidecar.istio.io/extraStatTags; empty
 * entries dropped, duplicates removed — istio pkg/bootstrap/config.go getStatsOptions).
 */
export function istioStatsTags(extraStatTags: readonly string[] = []): TagSpecifier[] {
  const extra = [...new Set(extraStatTags.filter((t) => t !== ''))];
  return [
    ...BOOTSTRAP_HEAD,
    ...extra.map((t) => ({ tagName: t, regex: `(${t}=\\.=(.*?);\\.;)` })),
    ...BOOTSTRAP_TAIL,
  ];
}

/**
 * std::regex ECMAScript → JS RegExp: `.` excludes only \n and \r there (libstdc++ and libc++),
 * not U+2028/U+2029, and the POSIX class [:digit:] is allowed inside brackets.
 */
function toJsRegExp(src: string): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (src.startsWith('[:digit:]', i)) {
        out += '0-9';
        i += '[:digit:]'.length - 1;
      } else {
        if (c === ']') inClass = false;
        out += c;
      }
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === ']') {
        out += ']'; // a leading ']' is a literal member
        i++;
      }
    } else {
      out += c === '.' ? '[^\\n\\r]' : c;
    }
  }
  return new RegExp(out, 'd');
}

export interface ExtractedName {
  /** The name with every matched group 1 removed (Envoy's tagExtractedName). */
  readonly name: string;
  readonly tags: readonly Tag[];
}

/** Envoy's TagProducerImpl for a fixed list of specifiers, memoized per stat name. */
export class TagProducer {
  private readonly extractors: { name: string; re: RegExp }[] = [];
  private readonly memo = new Map<string, ExtractedName>();

  constructor(specs: readonly TagSpecifier[]) {
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.tagName)) throw new Error(`Tag name '${s.tagName}' specified twice.`);
      seen.add(s.tagName);
      let re: RegExp;
      try {
        re = toJsRegExp(s.regex);
      } catch (e) {
        throw new Error(`stats tag '${s.tagName}': invalid regex ${JSON.stringify(s.regex)}: ${(e as Error).message}`);
      }
      this.extractors.push({ name: s.tagName, re });
    }
  }

  produce(statName: string): ExtractedName {
    const hit = this.memo.get(statName);
    if (hit) return hit;
    const tags: Tag[] = [];
    const cuts: [number, number][] = [];
    for (const x of this.extractors) {
      const m = x.re.exec(statName);
      // The regex must match and have a group; group 1 is removed, group 2 (else 1) is the value.
      if (!m || m.length < 2 || !m.indices) continue;
      const remove = m.indices[1];
      const valueIdx = m.length > 2 ? 2 : 1;
      tags.push([x.name, m[valueIdx] ?? '']);
      if (remove) cuts.push([remove[0], remove[1]]);
    }
    const result: ExtractedName = { name: removeRanges(statName, cuts), tags };
    this.memo.set(statName, result);
    return result;
  }
}

/** StringUtil::removeCharacters with an interval set (overlaps merged). */
function removeRanges(s: string, cuts: [number, number][]): string {
  if (cuts.length === 0) return s;
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [start, end] of cuts) {
    if (start > pos) out += s.slice(pos, start);
    pos = Math.max(pos, end);
  }
  return out + s.slice(pos);
}
