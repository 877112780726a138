// The benchmark's null filter: the floor filter's callbacks (bench/floor/floor.ts), doing nothing
// and making no host call. What a stream costs with it is the price of having any Wasm filter in
// the chain at all — the host creating the stream, calling into the VM for each callback — so
// `npm run bench` reports route-metrics and the floor net of it: (filter − null) / (floor − null).

// No env.abort in Envoy: an assertion failure just traps.
@global
export function nullAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  unreachable();
}

export function proxy_abi_version_0_2_0(): void {}

export function malloc(size: usize): usize {
  return heap.alloc(size);
}

export function proxy_on_context_create(contextId: u32, parentId: u32): void {}

export function proxy_on_vm_start(rootId: u32, size: u32): u32 {
  return 1;
}

export function proxy_on_configure(rootId: u32, size: u32): u32 {
  return 1;
}

export function proxy_on_request_headers(contextId: u32, headers: u32, endOfStream: u32): u32 {
  return 0;
}

export function proxy_on_log(contextId: u32): void {}

export function proxy_on_done(contextId: u32): u32 {
  return 1;
}

export function proxy_on_delete(contextId: u32): void {}
