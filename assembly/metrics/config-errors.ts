// The gauge route_config_errors (no labels): how many errors the configuration in force has, 0 when
// it is clean. Errors no longer stop a configuration from loading (config/index.ts), so this is
// what an alert watches. It is set on every configuration the filter accepts, so it describes the
// one in force; a rejected configuration ("strict": true) leaves it as it was. The name is fixed,
// outside metrics.prefix: the prefix itself may be what is wrong.
import { defineMetric, recordMetric, MetricType, NO_METRIC } from "../abi/hostcalls";

export const CONFIG_ERRORS_METRIC = "route_config_errors";

// Metric ids belong to the VM (every definition hands out a new one): define once per VM.
let gauge: u32 = NO_METRIC;

export function reportConfigErrors(count: i32): void {
  if (gauge == NO_METRIC) gauge = defineMetric(MetricType.Gauge, CONFIG_ERRORS_METRIC);
  if (gauge != NO_METRIC) recordMetric(gauge, <u64>count);
}
