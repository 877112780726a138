// The benchmark floor: the smallest filter that does route-metrics' unavoidable work, written
// directly against the proxy-wasm ABI (no SDK, no configuration, no matching):
//   request headers: read :method and :path, set istio_operationId
//   on_log:          read response.code and request.duration, increment one counter, record one histogram
// "route-metrics cost / floor cost" in `npm run bench` is measured against this.

@external("env", "proxy_get_header_map_value")
declare function proxy_get_header_map_value(map: i32, keyPtr: usize, keyLen: usize, outPtr: usize, outLen: usize): u32;
@external("env", "proxy_get_property")
declare function proxy_get_property(pathPtr: usize, pathLen: usize, outPtr: usize, outLen: usize): u32;
@external("env", "proxy_set_property")
declare function proxy_set_property(pathPtr: usize, pathLen: usize, valuePtr: usize, valueLen: usize): u32;
@external("env", "proxy_define_metric")
declare function proxy_define_metric(type: i32, namePtr: usize, nameLen: usize, outId: usize): u32;
@external("env", "proxy_increment_metric")
declare function proxy_increment_metric(id: u32, delta: i64): u32;
@external("env", "proxy_record_metric")
declare function proxy_record_metric(id: u32, value: u64): u32;

// No env.abort in Envoy: an assertion failure just traps.
@global
export function floorAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  unreachable();
}

const OUT: usize = memory.data(8);
const U32: usize = memory.data(4);
const METHOD = memory.data<u8>([0x3a, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64]); // ":method"
const PATH = memory.data<u8>([0x3a, 0x70, 0x61, 0x74, 0x68]); // ":path"
const ATTRIBUTE = String.UTF8.encode("istio_operationId");
const VALUE = String.UTF8.encode("GET /healthz");
const RESPONSE_CODE = String.UTF8.encode("response\0code");
const REQUEST_DURATION = String.UTF8.encode("request\0duration");

let counterId: u32 = 0;
let histogramId: u32 = 0;

export function proxy_abi_version_0_2_0(): void {}

export function malloc(size: usize): usize {
  return heap.alloc(size);
}

// Reads a value the host allocated with malloc and gives the memory back at once.
function readAndFree(): u64 {
  const ptr = load<u32>(OUT);
  const len = load<u32>(OUT + 4);
  let v: u64 = 0;
  if (ptr != 0) {
    if (len == 8) v = load<u64>(ptr);
    heap.free(ptr);
  }
  return v;
}

export function proxy_on_context_create(contextId: u32, parentId: u32): void {}

export function proxy_on_vm_start(rootId: u32, size: u32): u32 {
  return 1;
}

export function proxy_on_configure(rootId: u32, size: u32): u32 {
  const counter = String.UTF8.encode("route_name=.=GET /healthz;.;response_class=.=2xx;.;floor_requests_total");
  const histogram = String.UTF8.encode("route_name=.=GET /healthz;.;floor_request_duration_milliseconds");
  proxy_define_metric(0, changetype<usize>(counter), counter.byteLength, U32);
  counterId = load<u32>(U32);
  proxy_define_metric(2, changetype<usize>(histogram), histogram.byteLength, U32);
  histogramId = load<u32>(U32);
  return 1;
}

export function proxy_on_request_headers(contextId: u32, headers: u32, endOfStream: u32): u32 {
  if (proxy_get_header_map_value(0, METHOD, 7, OUT, OUT + 4) == 0) readAndFree();
  if (proxy_get_header_map_value(0, PATH, 5, OUT, OUT + 4) == 0) readAndFree();
  proxy_set_property(changetype<usize>(ATTRIBUTE), ATTRIBUTE.byteLength, changetype<usize>(VALUE), VALUE.byteLength);
  return 0;
}

export function proxy_on_log(contextId: u32): void {
  if (proxy_get_property(changetype<usize>(RESPONSE_CODE), RESPONSE_CODE.byteLength, OUT, OUT + 4) == 0) readAndFree();
  let ns: u64 = 0;
  if (proxy_get_property(changetype<usize>(REQUEST_DURATION), REQUEST_DURATION.byteLength, OUT, OUT + 4) == 0) ns = readAndFree();
  proxy_increment_metric(counterId, 1);
  proxy_record_metric(histogramId, ns / 1000000);
}

export function proxy_on_done(contextId: u32): u32 {
  return 1;
}

export function proxy_on_delete(contextId: u32): void {}
