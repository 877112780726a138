// The native form's regexes (path_regex, and headers / query_params of type RegularExpression),
// compiled in a pass of their own after the configuration has been read.
//
// Why later: linear memory never shrinks, so configure time is paid at its peak. Compiled while
// the JSON was read, every regex program coexisted with the whole parse tree (2·10⁴ regex routes:
// 704 pages against 272 for exact paths). Read first, collect the JSON (filter/configure-gc.ts),
// then compile: the programs reuse the JSON's memory.
//
// Nothing observable changes. Patterns are compiled in reading order (the configuration's
// instruction budget is spent in the same order), every error keeps its message and JSON path, and
// errors and drops are moved to the place reading would have given them (Diagnostics.placeLate),
// so the log lists them as before. A route whose regex does not compile is left out; the others
// keep their order, so first-match semantics hold for what remains. A route already left out while
// reading still has its regexes compiled, for their errors.
import { Diagnostics, child, index } from "./diagnostics";
import { RouteSpec, ValueCondition } from "../routes/spec";
import { Regex, lastCompileError } from "../regex/index";
import { collectionPoint } from "../filter/configure-gc";

// Garbage one compilation leaves (the pattern's UTF-8 copy, compiler and literal-prefix scratch),
// for the collections between patterns: a base plus a share per pattern character.
const GARBAGE_PER_REGEX: usize = 256;
const GARBAGE_PER_CHAR: usize = 4;

/** Where a pattern sits in its route (with the item index for conditions). */
export const enum RegexPlace {
  Path = 0,
  Header = 1,
  Query = 2,
}

const PLACE_BITS: i32 = 2;

export class DeferredRegexes {
  // One entry per pattern, in reading order. Flat arrays rather than an object per pattern: a
  // configuration may hold 10⁵ of them, and these live until the pass.
  private routes: RouteSpec[] = [];
  /** The condition the regex belongs to; null for the route's path_regex. */
  private conditions: Array<ValueCondition | null> = [];
  /** item << PLACE_BITS | RegexPlace (item: the condition's position in its JSON list). */
  private places: i32[] = [];
  /** diags.errors.length when the pattern was read: where its error belongs. */
  private errorsAt: i32[] = [];
  /** diags.dropped.length after its route was read (where its drop belongs); -1 if the route was dropped then. */
  private dropsAt: i32[] = [];
  /** JSON path of each entry's route list ("routes", "services[2].routes"): shared strings. */
  private bases: string[] = [];
  private base: string = "routes";
  /** First entry of the route being read. */
  private routeStart: i32 = 0;
  // The pass's results (fields, not locals: they must survive its collections).
  private errorPositions: i32[] = [];
  private dropPositions: i32[] = [];

  get count(): i32 {
    return this.routes.length;
  }

  /** The route list whose routes are read next (config/native.ts readRouteList). */
  beginList(base: string): void {
    this.base = base;
  }

  add(route: RouteSpec, condition: ValueCondition | null, place: RegexPlace, item: i32, diags: Diagnostics): void {
    this.routes.push(route);
    this.bases.push(this.base);
    this.conditions.push(condition);
    this.places.push((item << PLACE_BITS) | <i32>place);
    this.errorsAt.push(diags.errors.length);
    this.dropsAt.push(-1);
  }

  /** Called once a route is read: `kept` = the route was not left out while reading. */
  routeRead(kept: bool, diags: Diagnostics): void {
    const n = this.routes.length;
    const at = kept ? diags.dropped.length : -1;
    for (let e = this.routeStart; e < n; e++) unchecked((this.dropsAt[e] = at));
    this.routeStart = n;
  }

  /**
   * Compiles every pattern, of every route list. A route kept while reading whose regex does not
   * compile is marked `regexFailed` (each list then leaves its marked routes out, in order). The
   * owner drops this object afterwards (finishNativeConfig), which releases the entries.
   */
  compile(diags: Diagnostics): void {
    const n = this.routes.length;
    if (n == 0) return;
    const errorsFrom = diags.errors.length;
    const dropsFrom = diags.dropped.length;
    const errorPositions = this.errorPositions;
    const dropPositions = this.dropPositions;
    for (let e = 0; e < n; e++) {
      // Everything used from here on is reachable from `this` (held by the parsed configuration)
      // or is `diags` (held by it too): a collection may run (filter/configure-gc.ts).
      if (e > 0) collectionPoint(GARBAGE_PER_REGEX + GARBAGE_PER_CHAR * <usize>this.patternOf(e - 1).length);
      const route = unchecked(this.routes[e]);
      const condition = unchecked(this.conditions[e]);
      const re = compileOne(this.patternOf(e));
      if (re !== null) {
        if (condition !== null) condition.regex = re;
        else route.regex = re;
        continue;
      }
      diags.error(this.pathOf(e), compileMessage);
      errorPositions.push(unchecked(this.errorsAt[e]));
      const dropAt = unchecked(this.dropsAt[e]);
      if (dropAt >= 0 && !route.regexFailed) {
        route.regexFailed = true;
        diags.drop(index(unchecked(this.bases[e]), route.index));
        dropPositions.push(dropAt);
      }
    }
    diags.placeLate(errorsFrom, errorPositions, dropsFrom, dropPositions);
  }

  private patternOf(e: i32): string {
    const condition = unchecked(this.conditions[e]);
    return condition !== null ? condition.value : unchecked(this.routes[e]).pathText;
  }

  /** `routes[3].path_regex`, `routes[3].headers[1].value`: built only for an error. */
  private pathOf(e: i32): string {
    const route = index(unchecked(this.bases[e]), unchecked(this.routes[e]).index);
    const packed = unchecked(this.places[e]);
    const place = packed & ((1 << PLACE_BITS) - 1);
    if (place == RegexPlace.Path) return child(route, "path_regex");
    const list = child(route, place == RegexPlace.Header ? "headers" : "query_params");
    return child(index(list, packed >> PLACE_BITS), "value");
  }

}

let compileMessage: string = "";

/** The compiled pattern, or null with compileMessage set (an empty pattern is an error too). */
function compileOne(pattern: string): Regex | null {
  if (pattern.length == 0) {
    compileMessage = "must not be empty";
    return null;
  }
  const re = Regex.compile(pattern);
  if (re === null) {
    const err = lastCompileError();
    compileMessage = err !== null ? err.message + " at column " + (err.position + 1).toString() : "invalid regular expression";
  }
  return re;
}
