// Garbage collection policy.
//
// The filter is built with AssemblyScript's "minimal" runtime: a two-colour mark & sweep collector
// without the incremental collector's shadow stack, which makes the module ~100 KB smaller and
// every call cheaper. It never runs by itself: it must be started when no managed reference lives
// only on the wasm stack, i.e. at the end of a host callback, when everything still needed is
// reachable from globals (the SDK's context map holds the root and stream contexts).
//
// We collect at the end of on_configure (the parsed JSON and diagnostics are garbage by then) and
// after every STREAMS_PER_COLLECTION streams. A stream leaves a few hundred bytes of garbage (the
// header and property values the host copied in, the stream context), so memory stays bounded,
// and the cost of a collection — marking the live configuration, sweeping that garbage — is
// spread over the streams. The compiled configuration is kept in a few large typed arrays rather
// than many small objects so that marking it stays cheap however many routes there are.

export const STREAMS_PER_COLLECTION: i32 = 256;

let streamsSinceCollection: i32 = 0;

/** Full collection. Call only at the end of a host callback (see above). */
export function collectGarbage(): void {
  streamsSinceCollection = 0;
  __collect();
}

/** Called when a stream context is deleted. */
export function streamFinished(): void {
  if (++streamsSinceCollection >= STREAMS_PER_COLLECTION) collectGarbage();
}
