// Starts the real release build of the filter in the simulated Envoy host.
import { fileURLToPath } from 'node:url';
import { SimulatedEnvoy, type StartOptions } from '../../host/index.ts';

export const RELEASE_WASM = fileURLToPath(new URL('../../build/route-metrics.wasm', import.meta.url));
export const DEBUG_WASM = fileURLToPath(new URL('../../build/route-metrics.debug.wasm', import.meta.url));

/** Starts the release build; the host caches the compiled module and checks imports like Envoy. */
export async function startFilter(pluginConfig: unknown, options: Partial<StartOptions> = {}): Promise<SimulatedEnvoy> {
  return SimulatedEnvoy.start({ wasm: RELEASE_WASM, pluginConfig: pluginConfig as StartOptions['pluginConfig'], ...options });
}

/** The podinfo per-route example, native form. */
export const PODINFO_NATIVE = {
  output_attribute: 'istio_operationId',
  routes: [
    { name: 'GET /healthz', method: 'GET', path: '/healthz' },
    { name: 'POST /echo', method: 'POST', path: '/echo' },
    { name: 'GET /users/{id}', method: ['GET', 'HEAD'], path: '/users/{id}' },
    { name: 'static', path_prefix: '/static/' },
    { name: 'legacy', path_regex: '^/v[0-9]+/legacy/' },
  ],
};

/** The podinfo per-route example as written for Istio's attributegen. */
export const PODINFO_ATTRIBUTEGEN = {
  attributes: [
    {
      output_attribute: 'istio_operationId',
      match: [
        { value: 'GET /healthz', condition: "request.method == 'GET' && request.url_path == '/healthz'" },
        { value: 'POST /echo', condition: "request.method == 'POST' && request.url_path == '/echo'" },
      ],
    },
  ],
};
