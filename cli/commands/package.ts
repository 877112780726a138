// `route-metrics package` (and `npm run package`): writes the OCI image layout and checksums of
// build/route-metrics.wasm and prints what to put in a WasmPlugin. See oci/package-artifacts.ts.
//
//   route-metrics package [--wasm PATH] [--out DIR] [--tag TAG] [--json]
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { packageWasm, type PackageResult } from '../oci/package-artifacts.ts';

function summary(r: PackageResult): string {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  const n = (x: number) => x.toLocaleString('en-US').padStart(9);
  const { layer, config, manifest } = r.image;
  const repo = 'REGISTRY/route-metrics';
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
  ].join('\n');
}

async function packageCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      wasm: { type: 'string' },
      out: { type: 'string' },
      tag: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const started = performance.now();
  const result = await packageWasm({ wasmPath: values.wasm, layoutDir: values.out, tag: values.tag });
  if (values.json) {
    const { image, ...rest } = result;
    console.log(JSON.stringify({
      ...rest,
      layerDigest: image.layer.digest, layerSize: image.layer.size,
      configDigest: image.config.digest, manifestSize: image.manifest.size,
    }, null, 2));
  } else {
    console.log(`${summary(result)}\n\n(${Math.round(performance.now() - started)} ms)`);
  }
}

/**
 * Runs `route-metrics package` with the arguments after the command name; resolves with the exit
 * code. The command has its own flag parser (not commander), and reports its own errors, bad flags
 * included, as one `route-metrics package: …` line and exit code 1.
 */
export async function runPackage(args: string[]): Promise<number> {
  try {
    await packageCommand(args);
    return 0;
  } catch (e) {
    console.error(`route-metrics package: ${(e as Error).message}`);
    return 1;
  }
}
