// JSON-level problems (invalid UTF-8, lone surrogate escapes, duplicate keys: see config/json.ts)
// become configuration errors with their JSON path. Each is reported by the reader of the object
// it belongs to, at the moment that object is read, so whatever rule drops a faulty route,
// attribute or match drops the one that holds the bad string or the repeated key; problems in
// parts nobody reads (ignored or unknown fields) are reported at the end.
import { JsonObject, JsonProblem } from "./json";
import { Diagnostics } from "./diagnostics";

/** Reports the problems `obj` owns that are not reported yet. */
export function reportObjectProblems(obj: JsonObject, diags: Diagnostics): void {
  if (obj.hasProblems) report(obj.doc.problems, obj.index, diags);
}

/** Reports every problem not reported yet (call once the configuration has been read). */
export function reportRemainingProblems(problems: JsonProblem[], diags: Diagnostics): void {
  report(problems, -1, diags);
}

/** Reports the problems of `owner` (-1: of any) not reported yet. */
function report(problems: JsonProblem[], owner: i32, diags: Diagnostics): void {
  for (let i = 0; i < problems.length; i++) {
    const p = unchecked(problems[i]);
    if (p.reported || (owner >= 0 && p.owner != owner)) continue;
    p.reported = true;
    diags.error(p.path, p.message);
  }
}
