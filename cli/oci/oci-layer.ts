// The single layer of the "compat" Wasm image: a tar holding one file, `plugin.wasm`, gzipped.
// Istio's fetcher walks this tar.gz for a file whose base name is `plugin.wasm`.
//
// Reproducible by construction, so the same .wasm gives the same layer (and manifest) digest on
// every machine:
// - tar: one ustar entry with fixed metadata (mtime from the caller, uid/gid 0, empty user and
//   group names, mode 0644), written by tar-stream, so nothing comes from the file system;
// - gzip: a pure-JS deflate (pako) with the classic zlib hash. Node's own zlib is Chromium's fork,
//   which hashes with CRC32C when the CPU has SSE4.2 / ARMv8 CRC and with the classic hash
//   otherwise, so the same bytes can compress differently on two machines or two Node versions.
//   pako with `legacyHash` produces canonical zlib output byte for byte. Its gzip header is fixed:
//   no file name, MTIME 0, XFL 2 (level 9), OS 3.
import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';
import { gzip } from 'pako';

export const PLUGIN_FILE_NAME = 'plugin.wasm';
export const GZIP_LEVEL = 9;
/** The first ten bytes every layer starts with: magic, deflate, no flags, MTIME 0, XFL 2, OS 3 (Unix). */
export const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0x03);

export interface PluginLayer {
  /** The uncompressed tar; its sha256 is the config's rootfs.diff_ids entry. */
  tar: Uint8Array;
  /** The gzipped tar: the layer blob. */
  tarGzip: Uint8Array;
  diffId: string;
  digest: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A tar with the single entry `plugin.wasm`. `mtimeSeconds` is the entry's modification time. */
export async function pluginTar(wasm: Uint8Array, mtimeSeconds: number): Promise<Uint8Array> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    archive.on('end', () => resolve());
    archive.on('error', reject);
  });
  archive.entry(
    {
      name: PLUGIN_FILE_NAME,
      type: 'file',
      size: wasm.byteLength,
      mode: 0o644,
      mtime: new Date(mtimeSeconds * 1000),
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
    },
    Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength),
  );
  archive.finalize();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/** Canonical-zlib gzip with the fixed header above. */
export function reproducibleGzip(bytes: Uint8Array): Uint8Array {
  const out = gzip(bytes, { level: GZIP_LEVEL, legacyHash: true });
  for (let i = 0; i < GZIP_HEADER.length; i++) {
    if (out[i] !== GZIP_HEADER[i]) throw new Error(`unexpected gzip header byte ${i}: ${out[i]} (expected ${GZIP_HEADER[i]})`);
  }
  return out;
}

export async function buildPluginLayer(wasm: Uint8Array, mtimeSeconds = 0): Promise<PluginLayer> {
  if (!Number.isSafeInteger(mtimeSeconds) || mtimeSeconds < 0) throw new Error(`invalid mtime: ${mtimeSeconds}`);
  const tar = await pluginTar(wasm, mtimeSeconds);
  const tarGzip = reproducibleGzip(tar);
  return { tar, tarGzip, diffId: `sha256:${sha256Hex(tar)}`, digest: `sha256:${sha256Hex(tarGzip)}` };
}
