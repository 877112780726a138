// `npm run package`: turns build/route-metrics.wasm into the deployable artifacts.
//   build/route-metrics.wasm.sha256   `<hex>  route-metrics.wasm` (sha256sum format): WasmPlugin
//                                     `sha256` for an https:// url serving the .wasm itself
//   build/oci/                        OCI image layout, one single-layer "compat" image tagged <version>
//   build/oci/DIGEST                  `sha256:<hex>` of the manifest: WasmPlugin `sha256` (the hex
//                                     part) for the oci:// url of that image
// Same .wasm, same digests: the only input besides the module bytes is package.json's metadata and,
// when set, SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256Hex } from './oci-layer.ts';
import { buildWasmImage, type ImageMetadata, type WasmImage } from './oci-image.ts';
import { writeOciLayout } from './oci-layout.ts';
import { DEFAULT_LAYOUT, DEFAULT_WASM, PACKAGE_JSON } from '../paths.ts';

export interface PackageOptions {
  wasmPath?: string;
  layoutDir?: string;
  /** Defaults to package.json's version. */
  tag?: string;
  /** Defaults to process.env.SOURCE_DATE_EPOCH. */
  sourceDateEpoch?: string;
}

export interface PackageResult {
  wasmPath: string;
  wasmSize: number;
  wasmSha256: string;
  checksumPath: string;
  layoutDir: string;
  digestPath: string;
  tag: string;
  /** Hex manifest digest (no `sha256:` prefix), as WasmPlugin `sha256` wants it. */
  manifestDigest: string;
  mtimeSeconds: number;
  image: WasmImage;
}

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  license?: string;
  homepage?: string;
  repository?: string | { url?: string };
}

/** package.json `repository` (or `homepage`) as a browsable URL, for org.opencontainers.image.source. */
function sourceUrl(pkg: PackageJson): string | undefined {
  const raw = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url ?? pkg.homepage;
  if (!raw) return undefined;
  return raw.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^github:/, 'https://github.com/');
}

export function imageMetadata(createdSeconds?: number): ImageMetadata {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as PackageJson;
  return {
    title: pkg.name,
    version: pkg.version,
    description: pkg.description,
    licenses: pkg.license,
    source: sourceUrl(pkg),
    createdSeconds,
  };
}

/** SOURCE_DATE_EPOCH as whole seconds; undefined when unset or empty. */
export function parseSourceDateEpoch(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new Error(`SOURCE_DATE_EPOCH must be a whole number of seconds, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * The image `packageWasm` builds from these bytes, without writing anything: the manifest digest
 * here is the one `route-metrics package` (and the release workflow) publish for the same module,
 * package.json and SOURCE_DATE_EPOCH. Manifests the CLI writes take their `sha256` from it.
 */
export async function imageOf(wasm: Uint8Array, sourceDateEpoch: string | undefined): Promise<{ image: WasmImage; mtimeSeconds: number; version: string }> {
  const epoch = parseSourceDateEpoch(sourceDateEpoch);
  const meta = imageMetadata(epoch);
  const mtimeSeconds = epoch ?? 0;
  return { image: await buildWasmImage(wasm, meta, mtimeSeconds), mtimeSeconds, version: meta.version };
}

/** Writes `<hex>  <name>` next to the module, unless the file already says exactly that (an installed package may be read-only). */
function writeChecksum(checksumPath: string, line: string): void {
  if (existsSync(checksumPath) && readFileSync(checksumPath, 'utf8') === line) return;
  writeFileSync(checksumPath, line);
}

export async function packageWasm(options: PackageOptions = {}): Promise<PackageResult> {
  const wasmPath = options.wasmPath ?? DEFAULT_WASM;
  const layoutDir = options.layoutDir ?? DEFAULT_LAYOUT;
  if (!existsSync(wasmPath)) throw new Error(`${wasmPath} not found: run \`npm run build\` first`);
  // Read once: the build may be rewritten while we work, and every artifact must describe the same bytes.
  const wasm = new Uint8Array(readFileSync(wasmPath));
  const { image, mtimeSeconds, version } = await imageOf(wasm, 'sourceDateEpoch' in options ? options.sourceDateEpoch : process.env.SOURCE_DATE_EPOCH);
  const tag = options.tag ?? version;
  const wasmSha256 = sha256Hex(wasm);
  const checksumPath = `${wasmPath}.sha256`;
  writeChecksum(checksumPath, `${wasmSha256}  ${basename(wasmPath)}\n`);
  writeOciLayout(layoutDir, image, tag);
  const digestPath = join(layoutDir, 'DIGEST');
  writeFileSync(digestPath, `${image.manifest.digest}\n`);
  return {
    wasmPath, wasmSize: wasm.byteLength, wasmSha256, checksumPath, layoutDir, digestPath, tag,
    manifestDigest: image.manifest.digest.slice('sha256:'.length), mtimeSeconds, image,
  };
}
