// Finished streams kept for the next ones, so that a stream allocates nothing in the steady state.
//
// Without it every stream allocated its objects and left them as garbage: the allocator's and
// collector's work was the largest part of the module's per-request time. A stream's objects have
// a fixed size, so reusing them is exact. The pool keeps at most MAX_IDLE of them: after a burst of
// many concurrent streams (long-lived gRPC or WebSocket streams, say) the surplus goes back to the
// collector instead of staying reserved for streams that may never come again.
import { RouteMetricsStream } from "./stream";
import { ActiveConfig } from "./active-config";

/** Idle streams kept at most (each is a few dozen bytes: 1024 of them are about 64 KiB). */
export const MAX_IDLE: i32 = 1024;

// Made on the first release, not at start: an early 4 KiB block shifted what on_configure
// allocates after it enough to cost the configured VM 4 to 8 more pages (measured, 1,000 and 10,000 routes).
let idle: StaticArray<RouteMetricsStream | null> | null = null;
let idleCount: i32 = 0;

/** A stream in its initial state, reading the configuration of `active`. */
export function takeStream(active: ActiveConfig): RouteMetricsStream {
  if (idleCount == 0) return new RouteMetricsStream(active);
  const pool = idle!;
  const i = --idleCount;
  const s = unchecked(pool[i])!;
  unchecked((pool[i] = null));
  s.active = active;
  return s;
}

/** Takes back a finished stream; false when the pool is full and the stream becomes garbage. */
export function releaseStream(s: RouteMetricsStream): bool {
  if (idleCount == MAX_IDLE) return false;
  s.reset();
  let pool = idle;
  if (pool === null) idle = pool = new StaticArray<RouteMetricsStream | null>(MAX_IDLE);
  unchecked((pool[idleCount++] = s));
  return true;
}
