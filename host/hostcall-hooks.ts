// Two optional hooks a VM offers the compute mode (host/replay/): a tap that watches one stream's
// module callbacks and host calls as the simulated Envoy answers them (to record the answers), and
// an override table that answers host calls instead of the simulated Envoy (to replay them at
// near-zero cost). Both are null in normal operation; the normal host then behaves exactly as
// without them. A leaf module: vm.ts and hostcalls/index.ts import it, it imports nothing.

/** Watches calls as they happen; every method runs synchronously around the real call. */
export interface CallTap {
  /** A module callback is about to run on a context of `kind` (context.ts CTX_*). */
  callback(kind: number, name: string, a: number, b: number, c: number): void;
  /** The callback returned `result` (0 after a trap). */
  callbackDone(result: number): void;
  /** A host call (index of hostcalls/table.ts) is about to run with these raw arguments. */
  hostcall(index: number, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown): void;
  /** The host call returned `result`; its out-parameters are written. */
  hostcallDone(result: number | void): void;
}

/** Host call implementations by hostcalls/table.ts index, used instead of the normal ones. */
export type HostcallOverride = readonly ((a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown) => number | void)[];
