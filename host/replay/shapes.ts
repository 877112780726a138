// The host calls the compute mode can replay, and where each keeps its question and its answer
// among its arguments. A replayable call is a pure question/answer as far as the filter is concerned
// (header and property reads, buffer reads, metric definition, clock), or an effect the compute
// mode takes over itself (filter state, metric updates, logs). Anything else (local replies, header
// writes, shared data, callouts, timers) changes what the simulated Envoy does next and is refused
// when recording. Positions are 0-based argument indexes of the ABI signature.

export interface CallShape {
  /** Scalars that are part of the question (map / buffer type, start and length, metric type or id, log level): at most 3. */
  readonly ints: readonly number[];
  /** (pointer, length) of the bytes the module asks about: header name, property path, metric name. */
  readonly key?: readonly [number, number];
  /** (pointer to pointer, pointer to size) the host fills with a value it copies in through malloc. */
  readonly value?: readonly [number, number];
  /** (pointer, byte size) of results the host writes in place: u32 id / size / level, u64 time / value. */
  readonly fixed?: readonly (readonly [number, number])[];
}

export const REPLAYABLE: Readonly<Record<string, CallShape>> = {
  proxy_get_header_map_value: { ints: [0], key: [1, 2], value: [3, 4] },
  proxy_get_header_map_pairs: { ints: [0], value: [1, 2] },
  proxy_get_header_map_size: { ints: [0], fixed: [[1, 4]] },
  proxy_get_property: { ints: [], key: [0, 1], value: [2, 3] },
  // The value (arguments 2, 3) is the module's output: captured as filter state on replay.
  proxy_set_property: { ints: [], key: [0, 1] },
  proxy_get_buffer_bytes: { ints: [0, 1, 2], value: [3, 4] },
  proxy_get_buffer_status: { ints: [0], fixed: [[1, 4], [2, 4]] },
  proxy_define_metric: { ints: [0], key: [1, 2], fixed: [[3, 4]] },
  // The delta / value (argument 1) is the module's output: tallied on replay.
  proxy_increment_metric: { ints: [0] },
  proxy_record_metric: { ints: [0] },
  proxy_get_metric: { ints: [0], fixed: [[1, 8]] },
  // The message (arguments 1, 2) is the module's output: dropped on replay unless logs are kept.
  proxy_log: { ints: [0] },
  proxy_get_log_level: { ints: [], fixed: [[0, 4]] },
  proxy_get_current_time_nanoseconds: { ints: [], fixed: [[0, 8]] },
};
