// Every log line the filter writes starts with this, so operators can grep Envoy's log for it.
export const LOG_PREFIX = "route-metrics: ";
