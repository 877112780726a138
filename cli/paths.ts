// Where the CLI finds the repository's own files. Resolved from this module's location, not the
// working directory, so every command works from any directory.
import { fileURLToPath } from 'node:url';

const fromRepo = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export const REPO_ROOT = fromRepo('');
export const PACKAGE_JSON = fromRepo('package.json');
/** The release build (`npm run build`). */
export const DEFAULT_WASM = fromRepo('build/route-metrics.wasm');
/** Where `route-metrics package` writes the OCI image layout. */
export const DEFAULT_LAYOUT = fromRepo('build/oci');
/** The WasmPlugin and Telemetry `route-metrics serve` loads without --config. */
export const DEFAULT_PLUGIN_FILE = fromRepo('examples/config/wasmplugin-local.yaml');
export const DEFAULT_TELEMETRY_FILE = fromRepo('examples/config/telemetry-local.yaml');
/** The benchmark; not every checkout has it. */
export const BENCH_SCRIPT = fromRepo('bench/run.ts');
