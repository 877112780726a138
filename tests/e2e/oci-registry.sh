#!/usr/bin/env bash
# Registry end-to-end for the OCI image that `npm run package` writes (build/oci):
#   1. package build/route-metrics.wasm (requires `npm run build` first);
#   2. start a private registry (Debian's docker-registry = CNCF distribution 2.8) on 127.0.0.1,
#      a free port, a temporary storage dir and its own config file;
#   3. push the layout with skopeo, keeping digests;
#   4. check what the registry serves: manifest digest = build/oci/DIGEST (the WasmPlugin sha256),
#      unchanged manifest bytes, one tar+gzip layer holding exactly plugin.wasm with the module's bytes;
#   5. pull it back with skopeo into a new layout: same digest;
#   6. fetch it the way istio-agent does (tests/e2e/istio-fetch.ts), by tag and by digest, and run
#      the pulled module in the simulated Envoy.
# Installs docker-registry and skopeo with apt when missing. Everything it starts is stopped on exit;
# the whole run is bounded by OCI_E2E_TIMEOUT seconds (default 240, apt installs included).
# Prints PASS/FAIL lines and a closing "N passed, N failed" line; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

LIMIT=${OCI_E2E_TIMEOUT:-240}
if [ -z "${OCI_E2E_BOUNDED:-}" ]; then
  # Re-run this script under `timeout`; the registry has its own timeout too (see below), so nothing
  # outlives the run even if this shell is killed.
  export OCI_E2E_BOUNDED=1
  exec timeout --kill-after=10 "$LIMIT" bash "$0" "$@"
fi

START=$(date +%s)
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
fatal() { fail "$*"; finish; }
FINISHED=
finish() {
  FINISHED=1
  echo "oci-registry: $PASSED passed, $FAILED failed ($(( $(date +%s) - START )) s)"
  [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ] && exit 0
  exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/route-metrics-oci-e2e.XXXXXX")
REGISTRY_PID=
cleanup() {
  local rc=$?
  if [ -z "$FINISHED" ]; then
    # set -e stopped the script on a failing command that had no check of its own.
    fail "stopped early (exit $rc); see the output above"
    FINISHED=1
    echo "oci-registry: $PASSED passed, $FAILED failed"
  fi
  if [ -n "$REGISTRY_PID" ] && kill -0 "$REGISTRY_PID" 2>/dev/null; then
    kill "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'fail "interrupted (time limit ${LIMIT}s?)"; finish' INT TERM

# --- tools -----------------------------------------------------------------------------------------
missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "installing ${missing[*]} with apt"
  # docker-registry's postinst starts the system registry on :5000 unless policy-rc.d says no
  # (Debian images for containers ship one that does). Keep it from starting a daemon we would leave behind.
  POLICY_RC=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    POLICY_RC=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY_RC" >/dev/null && $SUDO chmod 755 "$POLICY_RC"
  fi
  rc=0
  timeout 150 $SUDO apt-get update -qq >"$WORK/apt.log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive timeout 150 $SUDO apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >>"$WORK/apt.log" 2>&1 || rc=$?
  [ -z "$POLICY_RC" ] || $SUDO rm -f "$POLICY_RC"
  if [ "$rc" -ne 0 ]; then tail -20 "$WORK/apt.log"; fatal "apt-get install ${missing[*]} (exit $rc)"; fi
fi
echo "tools: $(docker-registry --version 2>&1 | head -1); $(skopeo --version)"

# --- 1. package --------------------------------------------------------------------------------------
[ -f build/route-metrics.wasm ] || fatal "build/route-metrics.wasm not found: run npm run build first"
node cli/route-metrics.mjs package >"$WORK/package.log" 2>&1 || { cat "$WORK/package.log"; fatal "route-metrics package"; }
LAYOUT=build/oci
TAG=$(node -p "require('./package.json').version")
DIGEST=$(tr -d '\n' <"$LAYOUT/DIGEST")
WASM_SHA256=$(cut -d' ' -f1 build/route-metrics.wasm.sha256)
[[ "$DIGEST" =~ ^sha256:[a-f0-9]{64}$ ]] || fatal "build/oci/DIGEST is not a sha256 digest: $DIGEST"
pass "packaged $LAYOUT:$TAG, manifest $DIGEST"

# --- 2. registry -------------------------------------------------------------------------------------
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
mkdir -p "$WORK/storage"
cat >"$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
  secret: route-metrics-e2e-$RANDOM$RANDOM
EOF
timeout "$LIMIT" docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
REG=127.0.0.1:$PORT
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://$REG/v2/" 2>/dev/null && break
  kill -0 "$REGISTRY_PID" 2>/dev/null || { cat "$WORK/registry.log"; fatal "docker-registry exited"; }
  sleep 0.1
done
curl -fsS -o /dev/null "http://$REG/v2/" || { cat "$WORK/registry.log"; fatal "registry on $REG did not answer"; }
pass "registry listening on $REG (storage $WORK/storage)"

# --- 3. push -----------------------------------------------------------------------------------------
IMAGE=$REG/route-metrics
SKOPEO=(timeout 60 skopeo --insecure-policy)
if "${SKOPEO[@]}" copy --quiet --preserve-digests --dest-tls-verify=false --digestfile "$WORK/pushed.digest" \
    "oci:$LAYOUT:$TAG" "docker://$IMAGE:$TAG" >"$WORK/push.log" 2>&1; then
  pass "skopeo copy oci:$LAYOUT:$TAG docker://$IMAGE:$TAG"
else
  cat "$WORK/push.log"; fatal "skopeo push"
fi
PUSHED=$(cat "$WORK/pushed.digest")
[ "$PUSHED" = "$DIGEST" ] && pass "pushed digest = build/oci/DIGEST" || fail "pushed digest $PUSHED != $DIGEST"

# --- 4. what the registry serves -----------------------------------------------------------------------
HEADERS=$(curl -fsS -I -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/route-metrics/manifests/$TAG" | tr -d '\r')
SERVED=$(sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p' <<<"$HEADERS")
CTYPE=$(sed -n 's/^[Cc]ontent-[Tt]ype: //p' <<<"$HEADERS")
[ "$SERVED" = "$DIGEST" ] && pass "registry manifest digest for :$TAG = $DIGEST" || fail "registry says $SERVED for :$TAG, expected $DIGEST"
[ "$CTYPE" = application/vnd.oci.image.manifest.v1+json ] && pass "served as an OCI image manifest" || fail "manifest content type $CTYPE"

"${SKOPEO[@]}" inspect --raw --tls-verify=false "docker://$IMAGE:$TAG" >"$WORK/manifest.json"
RAW=sha256:$(sha256sum "$WORK/manifest.json" | cut -d' ' -f1)
[ "$RAW" = "$DIGEST" ] && pass "manifest bytes unchanged by the push" || fail "served manifest hashes to $RAW"

read -r NLAYERS LAYER_TYPE LAYER_DIGEST < <(node -e '
  const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(m.layers.length, m.layers[0].mediaType, m.layers[0].digest);' "$WORK/manifest.json")
if [ "$NLAYERS" = 1 ] && [ "$LAYER_TYPE" = application/vnd.oci.image.layer.v1.tar+gzip ]; then
  pass "one layer, $LAYER_TYPE"
else
  fail "layers: $NLAYERS, first $LAYER_TYPE"
fi
curl -fsS -o "$WORK/layer.tar.gz" "http://$REG/v2/route-metrics/blobs/$LAYER_DIGEST"
[ "sha256:$(sha256sum "$WORK/layer.tar.gz" | cut -d' ' -f1)" = "$LAYER_DIGEST" ] || fail "layer blob does not hash to $LAYER_DIGEST"
ENTRIES=$(tar -tzf "$WORK/layer.tar.gz" | tr '\n' ' ')
PULLED_WASM=$(tar -xzOf "$WORK/layer.tar.gz" plugin.wasm | sha256sum | cut -d' ' -f1)
if [ "$ENTRIES" = "plugin.wasm " ] && [ "$PULLED_WASM" = "$WASM_SHA256" ]; then
  pass "layer holds exactly plugin.wasm, byte-identical to build/route-metrics.wasm (sha256 $WASM_SHA256)"
else
  fail "layer entries: $ENTRIES; plugin.wasm sha256 $PULLED_WASM, expected $WASM_SHA256"
fi

# --- 5. pull back --------------------------------------------------------------------------------------
if "${SKOPEO[@]}" copy --quiet --preserve-digests --src-tls-verify=false "docker://$IMAGE:$TAG" "oci:$WORK/pulled:$TAG" >"$WORK/pull.log" 2>&1; then
  BACK=$(node -p 'require(process.argv[1]).manifests[0].digest' "$WORK/pulled/index.json")
  [ "$BACK" = "$DIGEST" ] && pass "skopeo pull back into a layout: same manifest digest" || fail "pulled layout has $BACK"
else
  cat "$WORK/pull.log"; fail "skopeo pull"
fi

# --- 6. as istio-agent fetches it ----------------------------------------------------------------------
HEX=${DIGEST#sha256:}
for URL in "oci://$IMAGE:$TAG" "oci://$IMAGE@$DIGEST"; do
  if timeout 60 node --import tsx tests/e2e/istio-fetch.ts "$URL" --sha256 "$HEX" --wasm-sha256 "$WASM_SHA256" --plain-http \
      >"$WORK/fetch.log" 2>&1; then
    sed 's/^/  /' "$WORK/fetch.log"
    pass "Istio-style fetch of $URL with sha256: $HEX"
  else
    cat "$WORK/fetch.log"; fail "Istio-style fetch of $URL"
  fi
done

finish
