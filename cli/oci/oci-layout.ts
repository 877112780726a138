// An OCI image layout on disk (https://github.com/opencontainers/image-spec/blob/main/image-layout.md):
//   oci-layout            {"imageLayoutVersion":"1.0.0"}
//   index.json            one manifest descriptor, tagged with org.opencontainers.image.ref.name
//   blobs/sha256/<hex>    layer, config, manifest
// skopeo, crane, oras and regctl read it; `skopeo copy oci:<dir>:<tag> docker://…` pushes it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from './oci-layer.ts';
import { MEDIA_TYPE, REF_NAME_ANNOTATION, descriptorOf, jsonBytes, type Descriptor, type WasmImage } from './oci-image.ts';

export const LAYOUT_VERSION = '1.0.0';

export interface OciIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

/** Replaces `dir` with a layout holding `image` under the tag `tag`. */
export function writeOciLayout(dir: string, image: WasmImage, tag: string): void {
  // A fresh directory, so blobs of earlier builds do not linger in what gets pushed or copied.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), jsonBytes({ imageLayoutVersion: LAYOUT_VERSION }));
  for (const blob of image.blobs) writeFileSync(blobPath(dir, blob.digest), blob.bytes);
  const index: OciIndex = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.index,
    manifests: [descriptorOf(image.manifest, { [REF_NAME_ANNOTATION]: tag })],
  };
  writeFileSync(join(dir, 'index.json'), jsonBytes(index));
}

export function blobPath(dir: string, digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new Error(`unsupported digest: ${digest}`);
  return join(dir, 'blobs', 'sha256', m[1]);
}

/** Reads a blob and checks that its size and sha256 match the descriptor. */
export function readBlob(dir: string, d: Descriptor): Uint8Array {
  const bytes = new Uint8Array(readFileSync(blobPath(dir, d.digest)));
  if (bytes.byteLength !== d.size) throw new Error(`blob ${d.digest}: size ${bytes.byteLength}, descriptor says ${d.size}`);
  const actual = `sha256:${sha256Hex(bytes)}`;
  if (actual !== d.digest) throw new Error(`blob ${d.digest}: content digest is ${actual}`);
  return bytes;
}

export function readIndex(dir: string): OciIndex {
  return JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as OciIndex;
}

/** The manifest descriptor tagged `tag` (or the only one when `tag` is omitted). */
export function findManifest(dir: string, tag?: string): Descriptor {
  const index = readIndex(dir);
  const found = tag === undefined ? index.manifests : index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag);
  if (found.length !== 1) throw new Error(`${dir}: expected one manifest${tag ? ` tagged ${tag}` : ''}, found ${found.length}`);
  return found[0];
}
