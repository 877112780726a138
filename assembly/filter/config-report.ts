// What the filter logs about a configuration: one line per problem with its JSON path, on every
// configure (warnings at warn level, errors at error level), then one summary line at error level
// when there were errors — either the rejection ("strict": true) or what the accept policy left
// out. The CLI's check/lint/serve read these lines (cli/plugin-host.ts), so their prefixes are
// part of the interface:
//   route-metrics: config error: routes[3].path: unclosed '{' at column 8
//   route-metrics: configuration accepted with 2 errors; dropped: routes[3], routes[5]
//   route-metrics: configuration rejected (2 errors)
import { log, LogLevel } from "../abi/hostcalls";
import { LOG_PREFIX } from "../abi/log-prefix";
import { Diagnostics, Diagnostic } from "../config/diagnostics";

/** At most this many dropped paths are listed in the summary; the error lines name them all. */
const LISTED_DROPS: i32 = 10;

export function logDiagnostics(diags: Diagnostics): void {
  logEach(diags.warnings, LogLevel.Warn, "config warning: ");
  logEach(diags.errors, LogLevel.Error, "config error: ");
}

/** One loop for both lists (it was copied into on_configure once per list). */
function logEach(list: Diagnostic[], level: LogLevel, label: string): void {
  for (let i = 0; i < list.length; i++) log(level, LOG_PREFIX + label + list[i].toString());
}

export function logRejected(diags: Diagnostics): void {
  log(LogLevel.Error, LOG_PREFIX + "configuration rejected (" + errorCount(diags) + ")");
}

export function logDegraded(diags: Diagnostics): void {
  log(LogLevel.Error, LOG_PREFIX + "configuration accepted with " + errorCount(diags) + "; " + droppedText(diags));
}

function errorCount(diags: Diagnostics): string {
  return counted(diags.errors.length, "error");
}

/** `1 error`, `3 errors`: n and the noun, plural unless n is 1. */
export function counted(n: i32, noun: string): string {
  return n.toString() + " " + noun + (n == 1 ? "" : "s");
}

function droppedText(diags: Diagnostics): string {
  if (diags.droppedAll) return "nothing in it is usable: every request is unmatched";
  const dropped = diags.dropped;
  if (dropped.length == 0) return "nothing dropped (the fields at fault are ignored)";
  const n = min(dropped.length, LISTED_DROPS);
  let text = "dropped: " + dropped[0];
  for (let i = 1; i < n; i++) text += ", " + dropped[i];
  if (dropped.length > n) text += " and " + (dropped.length - n).toString() + " more";
  return text + "; the rest is in force";
}
