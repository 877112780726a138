// Where the CLI finds the package's own files. Resolved from this module's location, not the
// working directory, so every command works from any directory. The module runs from two places:
//   cli/paths.ts        in a checkout (through tsx): the package root is ../
//   dist/cli/paths.js   in the installed npm package (compiled by `prepack`): the root is ../../
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const up = existsSync(join(here, '..', 'package.json')) ? '..' : join('..', '..');

export const REPO_ROOT = resolve(here, up);
const fromRepo = (p: string) => join(REPO_ROOT, p);

/** True when the CLI runs from its TypeScript sources (a checkout), false in the installed package. */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');
export const PACKAGE_JSON = fromRepo('package.json');
/** The release build (`npm run build`; shipped prebuilt in the npm package). */
export const DEFAULT_WASM = fromRepo('build/route-metrics.wasm');
/**
 * Where `route-metrics package` writes the OCI image layout: build/oci in a checkout; in the
 * installed package (whose directory may be read-only) route-metrics-oci in the working directory.
 */
export const DEFAULT_LAYOUT = FROM_SOURCES ? fromRepo('build/oci') : resolve('route-metrics-oci');
/** The WasmPlugin and Telemetry `route-metrics serve` loads without --config. */
export const DEFAULT_PLUGIN_FILE = fromRepo('examples/config/wasmplugin-local.yaml');
export const DEFAULT_TELEMETRY_FILE = fromRepo('examples/config/telemetry-local.yaml');
/** The benchmark; only a checkout has it (the npm package does not ship bench/). */
export const BENCH_SCRIPT = fromRepo('bench/run.ts');
