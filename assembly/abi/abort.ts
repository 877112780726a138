// The module's abort handler (asconfig.json: `use abort=route_metrics_abort`). A trap in the
// module is a bug; Envoy logs the trap, and this puts the reason in the proxy's log first, then
// ends the VM as a WASI program would (proc_exit(255)), as the SDK's abort_proc_exit did.
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
