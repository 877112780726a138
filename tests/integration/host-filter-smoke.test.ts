// Simulated Envoy host: smoke test with the real filter build (skipped until `npm run build` ran).
// Only checks that the module links against Envoy's ABI and survives a request; classification
// behaviour is tested elsewhere.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { envoyLinkErrors, hostFunctionsFor, inspectModule, SimulatedEnvoy } from '../../host/index.ts';

const WASM = fileURLToPath(new URL('../../build/route-metrics.wasm', import.meta.url));
const built = existsSync(WASM);

describe('host: real filter build', { skip: built ? false : 'build/route-metrics.wasm not built' }, () => {
  test('declares a 0.2.x ABI and imports only what Envoy registers, with matching signatures', () => {
    const info = inspectModule(readFileSync(WASM));
    assert.ok(info.abi === '0.2.0' || info.abi === '0.2.1', `ABI ${info.abi}`);
    const host = hostFunctionsFor(info.abi!);
    for (const imp of info.imports.filter((i) => i.kind === 'function')) {
      assert.ok(host.has(`${imp.module}.${imp.name}`), `${imp.module}.${imp.name} is not provided by Envoy`);
    }
    assert.deepEqual(envoyLinkErrors(info), []);
  });

  test('starts with an empty configuration and serves a request without trapping', async () => {
    const host = await SimulatedEnvoy.start({ wasm: WASM });
    assert.equal(host.configured, true, host.startError);
    const r = host.request({ path: '/healthz' });
    assert.equal(r.trapped, false, r.trap);
    assert.equal(r.response?.status, 200);
    host.stop();
    assert.equal(host.failed, false);
  });
});
