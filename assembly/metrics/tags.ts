// Envoy metric names carry labels as tag segments that Istio's bootstrap extracts with
//   (<tag>=\.=(.*?);\.;)   for every tag listed in extraStatTags
// e.g. "route_name=.=GET /healthz;.;response_class=.=2xx;.;route_requests_total".
// Tag values must not contain the separators, nor the substrings Istio's other tag regexes look
// for anywhere in a name (cache.X., component.X., wasm_filter.X., tag.X;., rbac.allowed/denied,
// .istio_dry_run_allow_/deny_, .shadow_allowed/denied): those would be cut out of the name or
// become other labels. Such dots are replaced by '_' in the label, and so are ';' (a value ending
// in ";." would end the tag early: the value regex is lazy) and line breaks (they stop the
// extraction). The filter-state value itself is not changed.

import { replaceChar, replaceText } from "../text/replace";

const RISKY: string[] = ["cache.", "component.", "wasm_filter.", "tag.", "rbac.allowed", "rbac.denied",
  ".istio_dry_run_allow_", ".istio_dry_run_deny_", ".shadow_allowed", ".shadow_denied", "=.="];

export function safeTagValue(value: string): string {
  let out = value;
  out = replaceChar(out, 0x3b /* ; */, 0x5f /* _ */);
  out = replaceChar(out, 0x0a, 0x5f);
  out = replaceChar(out, 0x0d, 0x5f);
  for (let i = 0; i < RISKY.length; i++) {
    const risky = RISKY[i];
    if (out.includes(risky)) out = replaceText(out, risky, replaceChar(risky, 0x2e /* . */, 0x5f));
  }
  return out;
}

export function tagSegment(tag: string, value: string): string {
  return tag + "=.=" + safeTagValue(value) + ";.;";
}
