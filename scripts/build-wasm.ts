// `npm run build` (every target) and `tsx scripts/build-wasm.ts --if-changed` (only what changed;
// used by npm start, npm run package, npm run bench and prepack). See wasm-build.ts.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildWasm } from './wasm-build.ts';

const { values } = parseArgs({ options: { 'if-changed': { type: 'boolean', default: false } } });
const root = fileURLToPath(new URL('..', import.meta.url));
try {
  await buildWasm({ root, ifChanged: values['if-changed'] });
} catch (e) {
  console.error(`build: ${(e as Error).message}`);
  process.exitCode = 1;
}
