#!/usr/bin/env bash
# End to end with a real Prometheus: the dev proxy (`route-metrics serve`, built-in sample app) on
# free loopback ports, Debian's prometheus scraping its admin /stats/prometheus every second,
# ~25 s of GET /healthz + POST /echo traffic, then the podinfo tutorial's queries through the
# Prometheus HTTP API:
#   sum(rate(istio_requests_total{destination_app="podinfo", route_name!~"other|unknown"}[1m])) by (route_name)
#     → a series for "GET /healthz" and for "POST /echo" (and none for unmatched requests)
#   histogram_quantile(0.9, sum(rate(route_request_duration_milliseconds_bucket[1m])) by (le, route_name))
#     → a finite value for both routes
# then `route-metrics routes --json` (plugin and --source istio) against the same Prometheus: the
# routes, plausible rates, success rates and p50 ≤ p90 ≤ p99, and its diagnoses for filters that
# match nothing; and the rules of `route-metrics slo`, loaded by that Prometheus: the recorded error
# and slow ratios of the real series, the page alert of a route that only answers 503
# (GET /status/{code}) firing, and none for the healthy GET /healthz.
# Installs prometheus with apt-get when it is missing (root + apt). Everything it starts is
# stopped on exit; the run is bounded (watchdog) and ends with PASS or FAIL (non-zero exit).
#
#   bash tests/e2e/prometheus.sh            E2E_TRAFFIC_SECONDS=25 by default
set -euo pipefail
cd "$(dirname "$0")/../.."

TRAFFIC_SECONDS="${E2E_TRAFFIC_SECONDS:-25}"
LIMIT_SECONDS="${E2E_LIMIT_SECONDS:-170}" # after the prometheus install: start-up + traffic + queries stay well under 3 min
WORK="$(mktemp -d -t route-metrics-e2e-prom.XXXXXX)"
SERVE_PID=""
PROM_PID=""
WATCHDOG_PID=""
STATUS=1

log() { printf '[e2e prometheus %3ss] %s\n' "$SECONDS" "$*"; }

cleanup() {
  local rc=$?
  [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null || true
  [ -n "$PROM_PID" ] && kill -TERM "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null || true
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill -TERM "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
  fi
  if [ "$STATUS" -ne 0 ]; then
    echo "--- dev proxy log (tail) ---"; tail -n 30 "$WORK/serve.log" 2>/dev/null || true
    echo "--- prometheus log (tail) ---"; tail -n 30 "$WORK/prometheus.log" 2>/dev/null || true
    echo "FAIL: route-metrics e2e with Prometheus"
  fi
  rm -rf "$WORK"
  [ "$STATUS" -eq 0 ] && exit 0 || exit "$(( rc == 0 ? 1 : rc ))"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

fail() { log "FAIL: $*"; exit 1; }

# --- 1. prometheus --------------------------------------------------------------------------
if ! command -v prometheus >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || fail "prometheus is not installed and apt-get is not available"
  [ "$(id -u)" -eq 0 ] || fail "prometheus is not installed; install it (apt-get install prometheus) or run as root"
  log "installing Debian's prometheus (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; fail "apt-get update"; }
  timeout 600 apt-get install -y -qq --no-install-recommends prometheus >>"$WORK/apt.log" 2>&1 || { tail -n 20 "$WORK/apt.log"; fail "apt-get install prometheus"; }
fi
log "$(prometheus --version 2>&1 | head -n 1)"

# The bound covers everything from here on (the install above depends on the mirror).
# (sleep gets no inherited stdout/stderr, so a pipe reading this script's output is not held open.)
(
  sleep "$LIMIT_SECONDS" </dev/null >/dev/null 2>&1 &
  sleeper=$!
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  wait "$sleeper"
  echo "FAIL: e2e still running after ${LIMIT_SECONDS}s (watchdog)" >&2
  kill -TERM $$
) &
WATCHDOG_PID=$!

[ -f build/route-metrics.wasm ] || { log "building the filter"; npm run build --silent >"$WORK/build.log" 2>&1 || { tail -n 20 "$WORK/build.log"; fail "npm run build"; }; }

# --- 2. the dev proxy with the sample app, on ports it picks ---------------------------------
node cli/route-metrics.mjs serve --listen 127.0.0.1:0 --admin 127.0.0.1:0 --app 127.0.0.1:0 >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 300); do
  grep -q '^ready: ' "$WORK/serve.log" && break
  kill -0 "$SERVE_PID" 2>/dev/null || fail "the dev proxy exited during start-up"
  sleep 0.1
done
READY="$(grep '^ready: ' "$WORK/serve.log")" || fail "the dev proxy did not become ready in 30 s"
PROXY="$(sed -E 's/.*proxy=([^ ]+).*/\1/' <<<"$READY")"
ADMIN="$(sed -E 's/.*admin=([^ ]+).*/\1/' <<<"$READY")"
log "dev proxy $PROXY, admin $ADMIN"
curl -fsS "$ADMIN/healthz" >/dev/null || fail "admin /healthz"

# --- 3. prometheus scraping the admin port every second, with SLO rules ------------------------
cat >"$WORK/slos.yaml" <<'EOF'
slos:
  - {route: "GET /healthz", objective: 99.9, latency: {threshold_ms: 250, objective: 99}}
  - {route: "GET /status/{code}", objective: 99}
EOF
node cli/route-metrics.mjs slo "$WORK/slos.yaml" -o "$WORK/slo-rules.yaml" 2>"$WORK/slo.log" || { cat "$WORK/slo.log"; fail "route-metrics slo"; }
PROM_PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['$WORK/slo-rules.yaml']
scrape_configs:
  - job_name: route-metrics-dev-proxy
    metrics_path: /stats/prometheus
    static_configs:
      - targets: ['${ADMIN#http://}']
        labels: {app: podinfo}
EOF
# Loopback only, data in the temp dir; no alertmanager, remote write or anything else reaching out.
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --storage.tsdb.retention.time=1h --log.level=warn \
  >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
PROM="http://127.0.0.1:$PROM_PORT"
for _ in $(seq 1 300); do
  curl -fsS "$PROM/-/ready" >/dev/null 2>&1 && break
  kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus exited during start-up"
  sleep 0.1
done
curl -fsS "$PROM/-/ready" >/dev/null 2>&1 || fail "prometheus did not become ready in 30 s"
# Prometheus' service discovery hands out its first targets after ~5 s: wait for the first scrape
# so that all of the traffic below is seen.
for _ in $(seq 1 300); do
  curl -fsS --get "$PROM/api/v1/query" --data-urlencode 'query=up{job="route-metrics-dev-proxy"} == 1' 2>/dev/null | grep -q '"value"' && break
  sleep 0.1
done
log "prometheus $PROM scraping $ADMIN/stats/prometheus every 1s"

# --- 4. traffic ---------------------------------------------------------------------------------
log "sending GET /healthz and POST /echo for ${TRAFFIC_SECONDS}s (plus a few unmatched requests and GET /status/503)"
PROXY="$PROXY" SECONDS_TOTAL="$TRAFFIC_SECONDS" node --input-type=module -e '
  const base = process.env.PROXY, end = Date.now() + 1000 * Number(process.env.SECONDS_TOTAL);
  let n = 0, bad = 0, failing = 0;
  while (Date.now() < end) {
    const rs = await Promise.all([
      fetch(`${base}/healthz`),
      fetch(`${base}/echo`, { method: "POST", body: JSON.stringify({ n }), headers: { "content-type": "application/json" } }),
      ...(n % 10 === 0 ? [fetch(`${base}/readyz`)] : []),
    ]);
    for (const r of rs) { await r.arrayBuffer(); if (r.status >= 500) bad++; }
    // A route that always fails, for the SLO alert below (its 503s are the point, not a fault).
    if (n % 5 === 0) { const r = await fetch(`${base}/status/503`); await r.arrayBuffer(); if (r.status === 503) failing++; }
    n++;
    await new Promise((r) => setTimeout(r, 40));
  }
  console.log(`sent ${n} rounds, ${bad} server errors, ${failing} x GET /status/503`);
  process.stderr.write(String(n));
  if (bad || !failing) process.exit(1);
' 2>"$WORK/rounds" || fail "traffic"
ROUNDS="$(cat "$WORK/rounds")"
sleep 2 # one more scrape after the last request

# --- 5. the tutorial queries -------------------------------------------------------------------
query() { curl -fsS --get "$PROM/api/v1/query" --data-urlencode "query=$1"; }
check() { # $1 = what, $2 = PromQL, $3 = JS assertion over `r` (the result array)
  local json
  json="$(query "$2")" || fail "$1: query failed"
  JSON="$json" WHAT="$1" node -e '
    const body = JSON.parse(process.env.JSON);
    if (body.status !== "success") { console.error(body); process.exit(1); }
    const r = body.data.result;
    for (const s of r) console.log(`  ${JSON.stringify(s.metric)} ${s.value[1]}`);
    const ok = (r) => { '"$3"' };
    if (!ok(r)) { console.error(`${process.env.WHAT}: unexpected result`); process.exit(1); }
  ' || fail "$1"
  log "ok: $1"
}

check 'the dev proxy is scraped' 'up{job="route-metrics-dev-proxy"}' \
  'return r.length === 1 && r[0].value[1] === "1";'
check 'per-route request rate from istio_requests_total' \
  'sum(rate(istio_requests_total{destination_app="podinfo", route_name!~"other|unknown"}[1m])) by (route_name)' \
  'const by = Object.fromEntries(r.map((s) => [s.metric.route_name, Number(s.value[1])]));
   return by["GET /healthz"] > 0 && by["POST /echo"] > 0 && !("unknown" in by) && !("other" in by);'
check 'unmatched requests are labelled with the default, other' \
  'sum(rate(istio_requests_total{destination_app="podinfo", route_name="other"}[1m]))' \
  'return r.length === 1 && Number(r[0].value[1]) > 0;'
check 'no request is left unlabelled (route_name="unknown") on istio_requests_total' \
  'sum(rate(istio_requests_total{destination_app="podinfo", route_name="unknown"}[1m]))' \
  'return r.length === 0 || Number(r[0].value[1]) === 0;'
check 'p90 latency per route from route_request_duration_milliseconds' \
  'histogram_quantile(0.9, sum(rate(route_request_duration_milliseconds_bucket[1m])) by (le, route_name))' \
  'const by = Object.fromEntries(r.map((s) => [s.metric.route_name, Number(s.value[1])]));
   return ["GET /healthz", "POST /echo"].every((k) => Number.isFinite(by[k]) && by[k] >= 0);'
check 'route_requests_total by route and class' \
  'sum(rate(route_requests_total[1m])) by (route_name, response_class)' \
  'return r.some((s) => s.metric.route_name === "GET /healthz" && s.metric.response_class === "2xx") &&
          r.some((s) => s.metric.route_name === "POST /echo" && s.metric.response_class === "2xx");'

# --- 6. route-metrics routes against this Prometheus ----------------------------------------------
# The window covers all the traffic, so rps × 30 s ≈ the requests sent to each route (Prometheus' rate
# misses the requests before a series' first scrape and extrapolates a little at the edges).
check_routes() { # $1 = what, $2 = JS assertion over `rows` and `by` (route → row), $3… = routes flags
  local what="$1" assertion="$2" json
  shift 2
  json="$(node cli/route-metrics.mjs routes --prometheus "$PROM" --window 30s --json "$@" 2>"$WORK/routes.err")" \
    || { cat "$WORK/routes.err"; fail "$what: route-metrics routes $*"; }
  JSON="$json" WHAT="$what" ROUNDS="$ROUNDS" node -e '
    const rows = JSON.parse(process.env.JSON), n = Number(process.env.ROUNDS);
    const by = Object.fromEntries(rows.map((r) => [r.route, r]));
    for (const r of rows) console.log(`  ${JSON.stringify(r)}`);
    // A busy route: about n requests in the window, every one a success, ordered quantiles in ms.
    const busy = (r) => r !== undefined && r.rps * 30 > 0.7 * n && r.rps * 30 < 1.1 * n && r.success_rate === 1 &&
      r.p50_ms > 0 && r.p50_ms <= r.p90_ms && r.p90_ms <= r.p99_ms && r.p99_ms < 1000;
    const ok = (rows, by) => { '"$assertion"' };
    if (!ok(rows, by)) { console.error(`${process.env.WHAT}: unexpected rows (${n} rounds sent)`); process.exit(1); }
  ' || fail "$what"
  log "ok: $what"
}
check_routes 'routes: the plugin metrics per route' \
  'return busy(by["GET /healthz"]) && busy(by["POST /echo"]) && by["GET /status/{code}"]?.success_rate === 0 &&
          by["unknown"]?.rps > 0 && rows.every((r) => !("service" in r)) && rows[0].rps >= rows[rows.length - 1].rps;'
check_routes 'routes --source istio: the same from istio_requests_total with route_name, per service' \
  'return busy(by["GET /healthz"]) && busy(by["POST /echo"]) && by["GET /status/{code}"]?.success_rate === 0 &&
          rows.every((r) => r.service === "podinfo" && r.namespace === "podinfo");' --source istio
check_routes 'routes --source istio --service podinfo --namespace podinfo' \
  'return busy(by["GET /healthz"]) && rows.length >= 4;' --source istio --service podinfo --namespace podinfo
node cli/route-metrics.mjs routes --prometheus "$PROM" --source istio --service nope >"$WORK/routes.out" 2>&1 && fail "routes --service nope succeeded"
grep -q 'no series matches --service nope' "$WORK/routes.out" && grep -q 'destination_service_name values of istio_requests_total: "podinfo"' "$WORK/routes.out" \
  || { cat "$WORK/routes.out"; fail "routes --service nope: the diagnosis"; }
node cli/route-metrics.mjs routes --prometheus "$PROM" --prefix api_ >"$WORK/routes.out" 2>&1 && fail "routes --prefix api_ succeeded"
grep -q 'route_config_errors is there' "$WORK/routes.out" || { cat "$WORK/routes.out"; fail "routes --prefix api_: the diagnosis"; }
node cli/route-metrics.mjs routes --prometheus "$PROM" --window 30s >"$WORK/routes.out" 2>&1 || { cat "$WORK/routes.out"; fail "routes (table)"; }
grep -Eq '^ROUTE +RPS +SUCCESS +P50 ms +P90 ms +P99 ms$' "$WORK/routes.out" || { cat "$WORK/routes.out"; fail "routes (table)"; }
log "ok: routes diagnoses filters that match nothing, and prints the table"

# --- 7. the SLO rules, evaluated by this Prometheus on the real series ------------------------------
check 'slo: recorded error ratio of the healthy route is 0, of the failing route 1' \
  'route_name:route_request_errors:ratio_rate5m' \
  'const by = Object.fromEntries(r.map((s) => [s.metric.route_name, Number(s.value[1])]));
   return by["GET /healthz"] === 0 && by["GET /status/{code}"] === 1 && !("POST /echo" in by);'
check 'slo: slow ratio at the 250 ms bucket (le as Envoy prints it) of GET /healthz is 0' \
  'route_name:route_request_slow:ratio_rate5m{threshold_ms="250"}' \
  'return r.length === 1 && r[0].metric.route_name === "GET /healthz" && Number(r[0].value[1]) === 0;'
check 'slo: dashboards aggregate every route across pods' \
  'route_name:route_requests:rate5m{response_class="2xx"}' \
  'return ["GET /healthz", "POST /echo"].every((k) => r.some((s) => s.metric.route_name === k && Number(s.value[1]) > 0));'
check 'slo: the failing route pages and tickets; the healthy one is quiet' \
  'ALERTS{alertname=~"RouteErrorBudgetBurn|RouteLatencyBudgetBurn", alertstate="firing"}' \
  'const got = r.map((s) => `${s.metric.alertname} ${s.metric.route_name} ${s.metric.severity}`).sort();
   return JSON.stringify(got) === JSON.stringify(["RouteErrorBudgetBurn GET /status/{code} page", "RouteErrorBudgetBurn GET /status/{code} ticket"]);'

# --- 8. graceful stop -----------------------------------------------------------------------------
kill -TERM "$SERVE_PID"
SERVE_RC=0
wait "$SERVE_PID" || SERVE_RC=$?
SERVE_PID=""
[ "$SERVE_RC" -eq 0 ] || fail "the dev proxy exited $SERVE_RC on SIGTERM"
log "dev proxy stopped cleanly"

STATUS=0
log "PASS: Prometheus sees per-route rates and latency quantiles; routes reads them; the SLO rules record and alert (${SECONDS}s)"
