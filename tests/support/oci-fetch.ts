// Reads a Wasm image the way istio-agent does for an oci:// WasmPlugin url (istio pkg/wasm/
// imagefetcher.go and cache.go), so tests and the registry end-to-end check exactly what Istio
// will accept:
// 1. the manifest digest is what WasmPlugin `sha256` is compared with (and an `@sha256:` in the url);
// 2. a Docker v2 manifest must carry one application/vnd.docker.image.rootfs.diff.tar.gzip layer;
//    otherwise the "compat" variant: one application/vnd.oci.image.layer.v1.tar+gzip layer;
//    otherwise the "oci" variant: exactly two layers, one of them the raw module
//    (application/vnd.module.wasm.content.layer.v1+wasm);
// 3. compat/Docker: gunzip, walk the tar, take the first entry whose base name is plugin.wasm;
// 4. the result must start with \0asm and be at least 8 bytes (cache.go isValidWasmBinary).
// Like the older fetchers, exactly one layer is required for the tar variants (newer fetchers take
// the last of several): an image that passes here passes every Istio version.
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { posix } from 'node:path';
import { extract } from 'tar-stream';
import { sha256Hex } from '../../cli/oci/oci-layer.ts';
import { MEDIA_TYPE, type Descriptor } from '../../cli/oci/oci-image.ts';
import { findManifest, readBlob } from '../../cli/oci/oci-layout.ts';

export type Variant = 'docker' | 'compat' | 'oci';

export interface FetchedImage {
  /** Hex digest of the manifest bytes: the WasmPlugin `sha256` for this oci:// url. */
  manifestDigest: string;
  manifest: Manifest;
  variant: Variant;
  wasm: Uint8Array;
}

export interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

type BlobSource = (d: Descriptor) => Promise<Uint8Array>;

export function isValidWasmBinary(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

/** Gunzips a layer and returns the first tar entry whose base name is plugin.wasm. */
export async function findPluginWasm(tarGzip: Uint8Array): Promise<Uint8Array> {
  const tar = gunzipSync(tarGzip);
  const entries = extract();
  Readable.from([tar]).pipe(entries);
  for await (const entry of entries) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (posix.basename(entry.header.name) === 'plugin.wasm') {
      entries.destroy();
      return new Uint8Array(Buffer.concat(chunks));
    }
  }
  throw new Error('plugin.wasm not found in the archive');
}

async function extractWasm(manifest: Manifest, blob: BlobSource): Promise<{ variant: Variant; wasm: Uint8Array }> {
  const layers = manifest.layers ?? [];
  const single = async (mediaType: string, variant: Variant) => {
    if (layers.length !== 1) throw new Error(`${variant}: number of layers must be 1 but got ${layers.length}`);
    if (layers[0].mediaType !== mediaType) throw new Error(`${variant}: invalid media type ${layers[0].mediaType} (expect ${mediaType})`);
    return { variant, wasm: await findPluginWasm(await blob(layers[0])) };
  };
  if (manifest.mediaType === MEDIA_TYPE.dockerManifest) return single(MEDIA_TYPE.dockerLayer, 'docker');
  const errors: string[] = [];
  try {
    return await single(MEDIA_TYPE.layer, 'compat');
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (layers.length === 2) {
    const raw = layers.find((l) => l.mediaType === MEDIA_TYPE.wasmArtifactLayer);
    if (raw) return { variant: 'oci', wasm: await blob(raw) };
    errors.push(`oci: could not find the layer of type ${MEDIA_TYPE.wasmArtifactLayer}`);
  } else {
    errors.push(`oci: number of layers must be 2 but got ${layers.length}`);
  }
  throw new Error(`the given image is in invalid format as an OCI image: ${errors.join('; ')}`);
}

async function readImage(manifestBytes: Uint8Array, blob: BlobSource, expectedSha256?: string): Promise<FetchedImage> {
  const manifestDigest = sha256Hex(manifestBytes);
  if (expectedSha256 && expectedSha256 !== manifestDigest) {
    throw new Error(`module downloaded has checksum ${manifestDigest}, which does not match: ${expectedSha256}`);
  }
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as Manifest;
  if (manifest.mediaType === MEDIA_TYPE.index || !Array.isArray(manifest.layers)) {
    throw new Error(`not an image manifest (mediaType ${manifest.mediaType ?? 'unset'})`);
  }
  const { variant, wasm } = await extractWasm(manifest, blob);
  if (!isValidWasmBinary(wasm)) throw new Error('fetched plugin.wasm is not a valid Wasm binary (no \\0asm magic)');
  return { manifestDigest, manifest, variant, wasm };
}

/** An image from an OCI layout directory (what `npm run package` writes). */
export async function fetchFromLayout(dir: string, tag?: string, expectedSha256?: string): Promise<FetchedImage> {
  const manifest = readBlob(dir, findManifest(dir, tag));
  return readImage(manifest, async (d) => readBlob(dir, d), expectedSha256);
}

export interface ImageReference {
  registry: string;
  repository: string;
  /** A tag, or `sha256:<hex>`. */
  reference: string;
}

/** Parses `oci://host[:port]/repo[:tag|@sha256:hex]` (the scheme is optional, as in WasmPlugin). */
export function parseImageUrl(url: string): ImageReference {
  const rest = url.replace(/^oci:\/\//, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) throw new Error(`no registry host in ${url}`);
  const registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  let reference = 'latest';
  const at = path.indexOf('@');
  if (at >= 0) {
    reference = path.slice(at + 1);
    path = path.slice(0, at);
  } else {
    const colon = path.lastIndexOf(':');
    if (colon > path.lastIndexOf('/')) {
      reference = path.slice(colon + 1);
      path = path.slice(0, colon);
    }
  }
  return { registry, repository: path, reference };
}

const MANIFEST_ACCEPT = [MEDIA_TYPE.manifest, MEDIA_TYPE.dockerManifest, MEDIA_TYPE.index,
  'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');

async function httpGet(url: string, accept?: string): Promise<Uint8Array> {
  const res = await fetch(url, { headers: accept ? { accept } : {}, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Pulls an image from a registry over the distribution API, anonymously. `plainHttp` is for a
 * local test registry (Istio falls back to plain HTTP when the registry answers HTTP to TLS).
 */
export async function fetchFromRegistry(url: string, options: { expectedSha256?: string; plainHttp?: boolean } = {}): Promise<FetchedImage> {
  const ref = parseImageUrl(url);
  const base = `${options.plainHttp ? 'http' : 'https'}://${ref.registry}/v2/${ref.repository}`;
  const manifest = await httpGet(`${base}/manifests/${ref.reference}`, MANIFEST_ACCEPT);
  if (ref.reference.startsWith('sha256:') && ref.reference !== `sha256:${sha256Hex(manifest)}`) {
    throw new Error(`manifest digest sha256:${sha256Hex(manifest)} does not match the url's ${ref.reference}`);
  }
  return readImage(manifest, async (d) => {
    const bytes = await httpGet(`${base}/blobs/${d.digest}`);
    if (`sha256:${sha256Hex(bytes)}` !== d.digest || bytes.byteLength !== d.size) throw new Error(`blob ${d.digest}: content does not match its descriptor`);
    return bytes;
  }, options.expectedSha256);
}
