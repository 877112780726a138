// Pulls a WasmPlugin module from a registry the way istio-agent does (tests/support/oci-fetch.ts: manifest
// digest = WasmPlugin sha256, single tar+gzip layer, walk for plugin.wasm, \0asm check), then
// loads it in the simulated Envoy with the podinfo routes and classifies a request.
// Used by tests/e2e/oci-registry.sh; prints one line per check and exits non-zero on failure.
//
//   node --import tsx tests/e2e/istio-fetch.ts <oci-url> --sha256 <manifest hex> --wasm-sha256 <hex> [--plain-http]
import { parseArgs } from 'node:util';
import { fetchFromRegistry } from '../support/oci-fetch.ts';
import { sha256Hex } from '../../cli/oci/oci-layer.ts';
import { SimulatedEnvoy } from '../../host/index.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sha256: { type: 'string' },
    'wasm-sha256': { type: 'string' },
    'plain-http': { type: 'boolean', default: false },
  },
});
const url = positionals[0];
if (!url || !values.sha256 || !values['wasm-sha256']) {
  console.error('usage: istio-fetch.ts <oci-url> --sha256 <manifest hex> --wasm-sha256 <hex> [--plain-http]');
  process.exit(2);
}

const image = await fetchFromRegistry(url, { expectedSha256: values.sha256, plainHttp: values['plain-http'] });
if (image.variant !== 'compat') throw new Error(`expected the compat variant, got ${image.variant}`);
const got = sha256Hex(image.wasm);
if (got !== values['wasm-sha256']) throw new Error(`extracted plugin.wasm has sha256 ${got}, expected ${values['wasm-sha256']}`);
console.log(`istio-fetch: ${url} → manifest ${image.manifestDigest.slice(0, 12)}…, ${image.variant} layer, plugin.wasm ${image.wasm.byteLength} bytes (sha256 ${got.slice(0, 12)}…)`);

// A wrong WasmPlugin sha256 must be refused, as Istio refuses it.
const wrong = '0'.repeat(64);
const refused = await fetchFromRegistry(url, { expectedSha256: wrong, plainHttp: values['plain-http'] }).then(() => false, () => true);
if (!refused) throw new Error('a wrong sha256 was accepted');
console.log('istio-fetch: a wrong sha256 is refused');

const host = await SimulatedEnvoy.start({
  wasm: image.wasm,
  pluginConfig: { routes: [{ name: 'GET /healthz', method: 'GET', path: '/healthz' }, { name: 'POST /echo', method: 'POST', path: '/echo' }] },
});
if (!host.configured) throw new Error(`the pulled module did not start: ${host.startError}`);
const r = host.request({ method: 'GET', path: '/healthz', status: 200, durationMs: 3 });
const op = r.filterState['wasm.istio_operationId'];
host.stop();
if (op !== 'GET /healthz') throw new Error(`GET /healthz classified as ${JSON.stringify(op)}`);
console.log('istio-fetch: the pulled module runs in the simulated Envoy: GET /healthz → "GET /healthz"');
