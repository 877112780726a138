// The OCI image of the plugin in the single-layer "compat" shape that every Istio fetcher version
// accepts (istio pkg/wasm/imagefetcher.go: an OCI manifest whose one layer is
// application/vnd.oci.image.layer.v1.tar+gzip holding plugin.wasm; see
// https://github.com/solo-io/wasm/blob/master/spec/spec-compat.md).
//
// Every JSON document is serialised once, compactly and with a fixed key order, and its digest is
// taken over exactly those bytes. Nothing depends on the clock: `created` is written only when the
// caller passes it (SOURCE_DATE_EPOCH). For oci:// URLs Istio's WasmPlugin `sha256` is the digest
// of the manifest bytes built here.
import { buildPluginLayer, sha256Hex } from './oci-layer.ts';

export const MEDIA_TYPE = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  wasmArtifactLayer: 'application/vnd.module.wasm.content.layer.v1+wasm',
} as const;

/** The annotation the compat spec puts on the manifest (Istio does not check it; other tools do). */
export const VARIANT_ANNOTATION = 'module.wasm.image/variant';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** `wasi/wasm`, the platform `docker buildx` / `buildah build --platform=wasi/wasm` give wasm images. */
export const WASM_PLATFORM = { architecture: 'wasm', os: 'wasi' } as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ImageMetadata {
  title: string;
  version: string;
  description?: string;
  licenses?: string;
  source?: string;
  /** Seconds since the epoch; sets config `created` and the `created` annotation (omitted when unset). */
  createdSeconds?: number;
}

export interface Blob extends Descriptor {
  bytes: Uint8Array;
}

export interface WasmImage {
  manifest: Blob;
  config: Blob;
  layer: Blob;
  /** sha256 of the uncompressed tar (config rootfs.diff_ids[0]). */
  diffId: string;
  tarSize: number;
  /** Every blob the layout stores: layer, config, manifest. */
  blobs: Blob[];
}

export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function blobOf(mediaType: string, bytes: Uint8Array): Blob {
  return { mediaType, digest: `sha256:${sha256Hex(bytes)}`, size: bytes.byteLength, bytes };
}

export function descriptorOf(blob: Blob, annotations?: Record<string, string>): Descriptor {
  const d: Descriptor = { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
  if (annotations) d.annotations = annotations;
  return d;
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The manifest's org.opencontainers.image.* annotations, in a fixed order, empty values left out. */
function manifestAnnotations(meta: ImageMetadata): Record<string, string> {
  const a: Record<string, string> = { [VARIANT_ANNOTATION]: 'compat' };
  const put = (key: string, value: string | undefined) => {
    if (value) a[`org.opencontainers.image.${key}`] = value;
  };
  put('title', meta.title);
  put('version', meta.version);
  put('description', meta.description);
  put('licenses', meta.licenses);
  put('source', meta.source);
  if (meta.createdSeconds !== undefined) put('created', isoSeconds(meta.createdSeconds));
  return a;
}

/** Builds the layer, config and manifest of the image; `mtimeSeconds` is the tar entry's mtime. */
export async function buildWasmImage(wasm: Uint8Array, meta: ImageMetadata, mtimeSeconds = 0): Promise<WasmImage> {
  if (wasm.byteLength < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new Error('not a WebAssembly binary (no \\0asm magic)');
  }
  const built = await buildPluginLayer(wasm, mtimeSeconds);
  const layer = blobOf(MEDIA_TYPE.layer, built.tarGzip);
  const configDoc: Record<string, unknown> = {};
  if (meta.createdSeconds !== undefined) configDoc.created = isoSeconds(meta.createdSeconds);
  configDoc.architecture = WASM_PLATFORM.architecture;
  configDoc.os = WASM_PLATFORM.os;
  configDoc.config = {};
  configDoc.rootfs = { type: 'layers', diff_ids: [built.diffId] };
  const config = blobOf(MEDIA_TYPE.config, jsonBytes(configDoc));
  const manifest = blobOf(MEDIA_TYPE.manifest, jsonBytes({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.manifest,
    config: descriptorOf(config),
    layers: [descriptorOf(layer)],
    annotations: manifestAnnotations(meta),
  }));
  return { manifest, config, layer, diffId: built.diffId, tarSize: built.tar.byteLength, blobs: [layer, config, manifest] };
}
