// The debug build's abort handler (asconfig.json, debug target: `use abort=route_metrics_abort`).
// A trap in the module is a bug; Envoy logs the trap, and this puts the reason in the proxy's log
// first, then ends the VM as a WASI program would (proc_exit(255)), as the SDK's abort_proc_exit did.
//
// The release build has no abort handler (`use abort=`): an abort is a bare `unreachable`. Its
// call sites (message, file name, line and column at each), the file names and this formatter
// cost about 4.6 KB, 3 % of the module (issue 14). Its function names are kept beside the module
// (scripts/wasm-names.ts) so that the backtrace Envoy logs still maps to functions, and the
// debug build, replaying the same request, gives the reason.
//
// Ours rather than the SDK's so that the module does not import the SDK's runtime at all: its
// context maps, root factories and callout bookkeeping are built at start-up and cost about
// 4 KB of code, and filter/dispatch.ts owns every callback they served.
import { log, LogLevel } from "./hostcalls";

// @ts-ignore: decorator
@external("wasi_unstable", "proc_exit")
declare function proc_exit(code: u32): void;

// @ts-ignore: decorator
@global
export function route_metrics_abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = message !== null ? message : "abort";
  if (fileName !== null) text += " at: " + fileName + "(" + line.toString() + ":" + column.toString() + ")";
  log(LogLevel.Critical, text);
  proc_exit(255);
}
