// `route-metrics package` (and `npm run package`): writes the OCI image layout and checksums of
// build/route-metrics.wasm and prints what to put in a WasmPlugin. See oci/package-artifacts.ts.
//
//   route-metrics package [--wasm PATH] [--out DIR] [--tag TAG] [--image REPOSITORY] [--json]
//
// The printed references use --image when given; without it they hold the placeholders REGISTRY
// (and HOST/PATH for an https:// url), each named on a `placeholder:` line.
import { relative } from 'node:path';
import { packageWasm, type PackageResult } from '../oci/package-artifacts.ts';
import { out as c } from '../terminal.ts';

export interface PackageCommandOptions {
  wasm?: string;
  out?: string;
  tag?: string;
  /** Repository the image will be pushed to, e.g. ghcr.io/acme/route-metrics (no tag). */
  image?: string;
  json?: boolean;
}

const REGISTRY_PLACEHOLDER = 'REGISTRY/route-metrics';

function summary(r: PackageResult, image: string | undefined): string {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const n = (x: number) => x.toLocaleString('en-US').padStart(9);
  const { layer, config, manifest } = r.image;
  const repo = image ?? REGISTRY_PLACEHOLDER;
  const placeholders = [
    ...(image ? [] : [`placeholder REGISTRY: the registry and path you push to (pass --image, e.g. --image ghcr.io/<owner>/route-metrics)`]),
    'placeholder HOST/PATH: where you serve the .wasm over https (only for that alternative)',
  ];
  return [
    `packaged ${rel(r.wasmPath)} as ${rel(r.layoutDir)}:${r.tag} (tar mtime ${r.mtimeSeconds}${process.env.SOURCE_DATE_EPOCH ? ' from SOURCE_DATE_EPOCH' : ''})`,
    `  module    ${n(r.wasmSize)} bytes  sha256:${r.wasmSha256}`,
    `  layer     ${n(layer.size)} bytes  ${layer.digest}  (plugin.wasm in a ${r.image.tarSize.toLocaleString('en-US')}-byte tar, gzip)`,
    `  config    ${n(config.size)} bytes  ${config.digest}`,
    `  manifest  ${n(manifest.size)} bytes  ${manifest.digest}`,
    `  wrote ${rel(r.checksumPath)}, ${rel(r.digestPath)}`,
    '',
    'push (any OCI registry):',
    `  skopeo copy --preserve-digests oci:${rel(r.layoutDir)}:${r.tag} docker://${repo}:${r.tag}`,
    '',
    'WasmPlugin, OCI image (sha256 = manifest digest, build/oci/DIGEST):',
    `  url: oci://${repo}:${r.tag}`,
    `  sha256: ${r.manifestDigest}`,
    'WasmPlugin, the .wasm served over https (sha256 = module digest, route-metrics.wasm.sha256):',
    `  url: https://HOST/PATH/route-metrics.wasm`,
    `  sha256: ${r.wasmSha256}`,
    '',
    ...placeholders.map((p) => c.yellow(p)),
  ].join('\n');
}

function validImage(image: string): string {
  const ref = image.replace(/^(oci|docker):\/\//, '');
  // An OCI repository: lowercase path components, no tag or digest (the tag is --tag).
  if (!/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/.test(ref)) {
    throw new Error(`--image ${JSON.stringify(image)}: expected a repository without tag, e.g. ghcr.io/acme/route-metrics`);
  }
  return ref;
}

/**
 * Runs `route-metrics package`; resolves with the exit code. Failures (no module, an unwritable
 * directory, a bad --image) are one `route-metrics package: …` line and exit 1; bad flags are
 * commander's usage errors (exit 2).
 */
export async function runPackage(opts: PackageCommandOptions): Promise<number> {
  try {
    const started = performance.now();
    const image = opts.image === undefined ? undefined : validImage(opts.image);
    const result = await packageWasm({ wasmPath: opts.wasm, layoutDir: opts.out, tag: opts.tag });
    if (opts.json) {
      const { image: built, ...rest } = result;
      console.log(JSON.stringify({
        ...rest,
        layerDigest: built.layer.digest, layerSize: built.layer.size,
        configDigest: built.config.digest, manifestSize: built.manifest.size,
        ...(image ? { url: `oci://${image}:${result.tag}` } : {}),
      }, null, 2));
    } else {
      console.log(`${summary(result, image)}\n\n(${Math.round(performance.now() - started)} ms)`);
    }
    return 0;
  } catch (e) {
    console.error(`route-metrics package: ${(e as Error).message}`);
    return 1;
  }
}
