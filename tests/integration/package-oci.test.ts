// `npm run package`: the OCI image layout, its reproducibility, and reading it back the way Istio does.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { extract, type Header } from 'tar-stream';
import { packageWasm, type PackageResult } from '../../cli/oci/package-artifacts.ts';
import { REPO_ROOT } from '../../cli/paths.ts';
import { buildWasmImage, jsonBytes, MEDIA_TYPE, type Descriptor } from '../../cli/oci/oci-image.ts';
import { GZIP_HEADER, sha256Hex } from '../../cli/oci/oci-layer.ts';
import { blobPath, findManifest, readBlob, readIndex, writeOciLayout } from '../../cli/oci/oci-layout.ts';
import { fetchFromLayout, findPluginWasm } from '../support/oci-fetch.ts';
import { SimulatedEnvoy } from '../../host/index.ts';
import { RELEASE_WASM } from '../support/filter.ts';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; license: string };
const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

async function tarEntries(tar: Uint8Array): Promise<Array<{ header: Header; data: Buffer }>> {
  const out: Array<{ header: Header; data: Buffer }> = [];
  const ex = extract();
  Readable.from([Buffer.from(tar)]).pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.push({ header: entry.header, data: Buffer.concat(chunks) });
  }
  return out;
}

describe('npm run package: OCI image layout', () => {
  let dir: string;
  let wasmPath: string;
  let wasm: Uint8Array;
  let r: PackageResult;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'route-metrics-package-'));
    // A private copy: the build may be rewritten by a concurrent `npm run build`.
    wasmPath = join(dir, 'route-metrics.wasm');
    copyFileSync(RELEASE_WASM, wasmPath);
    wasm = new Uint8Array(readFileSync(wasmPath));
    r = await packageWasm({ wasmPath, layoutDir: join(dir, 'oci'), sourceDateEpoch: '' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('oci-layout, index.json and exactly three content-addressed blobs', () => {
    assert.deepEqual(json(readFileSync(join(r.layoutDir, 'oci-layout'))), { imageLayoutVersion: '1.0.0' });
    const index = readIndex(r.layoutDir);
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, MEDIA_TYPE.index);
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0].mediaType, MEDIA_TYPE.manifest);
    assert.deepEqual(index.manifests[0].annotations, { 'org.opencontainers.image.ref.name': pkg.version });
    assert.equal(r.tag, pkg.version);
    const names = readdirSync(join(r.layoutDir, 'blobs', 'sha256')).sort();
    assert.equal(names.length, 3);
    for (const name of names) assert.equal(sha256Hex(readFileSync(join(r.layoutDir, 'blobs', 'sha256', name))), name);
  });

  test('manifest: OCI image manifest, compat variant, one tar+gzip layer, descriptors match the blobs', () => {
    const d = findManifest(r.layoutDir, pkg.version);
    const manifest = json(readBlob(r.layoutDir, d));
    assert.equal(manifest.schemaVersion, 2);
    assert.equal(manifest.mediaType, MEDIA_TYPE.manifest);
    assert.equal(manifest.config.mediaType, MEDIA_TYPE.config);
    assert.equal(manifest.layers.length, 1);
    assert.equal(manifest.layers[0].mediaType, MEDIA_TYPE.layer);
    readBlob(r.layoutDir, manifest.config); // throws on a size or digest mismatch
    readBlob(r.layoutDir, manifest.layers[0]);
    assert.equal(manifest.annotations['module.wasm.image/variant'], 'compat');
    assert.equal(manifest.annotations['org.opencontainers.image.title'], 'route-metrics');
    assert.equal(manifest.annotations['org.opencontainers.image.version'], pkg.version);
    assert.equal(manifest.annotations['org.opencontainers.image.licenses'], pkg.license);
    assert.equal(manifest.annotations['org.opencontainers.image.created'], undefined, 'no clock in the manifest');
    assert.equal(d.digest, `sha256:${r.manifestDigest}`);
  });

  test('config: wasi/wasm platform, rootfs.diff_ids = sha256 of the uncompressed tar, no created', () => {
    const manifest = json(readBlob(r.layoutDir, findManifest(r.layoutDir)));
    const config = json(readBlob(r.layoutDir, manifest.config));
    const layer = readBlob(r.layoutDir, manifest.layers[0]);
    assert.equal(config.architecture, 'wasm');
    assert.equal(config.os, 'wasi');
    assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [`sha256:${sha256Hex(gunzipSync(layer))}`] });
    assert.equal(config.created, undefined);
  });

  test('layer: fixed gzip header (no name, MTIME 0, OS 3); a tar with exactly plugin.wasm = the module bytes', async () => {
    const layer = r.image.layer.bytes;
    assert.deepEqual([...layer.subarray(0, 10)], [...GZIP_HEADER]);
    assert.equal(new DataView(layer.buffer, layer.byteOffset).getUint32(4, true), 0, 'gzip MTIME');
    const entries = await tarEntries(gunzipSync(layer));
    assert.equal(entries.length, 1);
    const [{ header, data }] = entries;
    assert.equal(header.name, 'plugin.wasm');
    assert.equal(header.type, 'file');
    assert.equal(header.mode, 0o644);
    assert.equal(header.uid, 0);
    assert.equal(header.gid, 0);
    assert.equal(header.uname, '');
    assert.equal(header.gname, '');
    assert.equal(header.mtime?.getTime(), 0);
    assert.equal(Buffer.compare(data, Buffer.from(wasm)), 0);
  });

  test('GNU tar reads the layer the same way', (t) => {
    const gnu = spawnSync('tar', ['--numeric-owner', '-tvzf', '-'],
      { input: r.image.layer.bytes, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    if (gnu.error) return t.skip('no tar command');
    assert.equal(gnu.status, 0, gnu.stderr);
    assert.match(gnu.stdout.trim(), new RegExp(`^-rw-r--r-- 0/0 +${wasm.byteLength} 1970-01-01 00:00 plugin\\.wasm$`));
  });

  test('the layer is canonical zlib output (any zlib 1.x at level 9 reproduces it)', (t) => {
    const tar = gunzipSync(r.image.layer.bytes);
    const py = spawnSync('python3', ['-c',
      'import sys,zlib; c=zlib.compressobj(9,zlib.DEFLATED,31); d=sys.stdin.buffer.read(); sys.stdout.buffer.write(c.compress(d)+c.flush())'],
    { input: tar, maxBuffer: 64 << 20 });
    if (py.error || py.status !== 0) return t.skip('no python3 with zlib');
    assert.equal(sha256Hex(py.stdout), sha256Hex(r.image.layer.bytes));
  });

  test('build/route-metrics.wasm.sha256 (sha256sum format) and build/oci/DIGEST', () => {
    assert.equal(readFileSync(r.checksumPath, 'utf8'), `${sha256Hex(wasm)}  route-metrics.wasm\n`);
    assert.equal(r.checksumPath, `${wasmPath}.sha256`);
    assert.equal(readFileSync(r.digestPath, 'utf8'), `sha256:${r.manifestDigest}\n`);
    assert.equal(r.manifestDigest, sha256Hex(r.image.manifest.bytes));
    assert.match(r.manifestDigest, /^[a-f0-9]{64}$/, 'WasmPlugin sha256 pattern');
  });

  test('reproducible: another run, and another input mtime, give byte-identical blobs', async () => {
    utimesSync(wasmPath, new Date('2031-05-06T07:08:09Z'), new Date('2031-05-06T07:08:09Z'));
    const again = await packageWasm({ wasmPath, layoutDir: join(dir, 'oci-again'), sourceDateEpoch: '' });
    assert.equal(again.manifestDigest, r.manifestDigest);
    for (const name of readdirSync(join(r.layoutDir, 'blobs', 'sha256'))) {
      assert.equal(Buffer.compare(readFileSync(join(r.layoutDir, 'blobs', 'sha256', name)),
        readFileSync(join(again.layoutDir, 'blobs', 'sha256', name))), 0);
    }
    assert.equal(readFileSync(join(again.layoutDir, 'index.json'), 'utf8'), readFileSync(join(r.layoutDir, 'index.json'), 'utf8'));
  });

  test('SOURCE_DATE_EPOCH sets the tar mtime and created; still reproducible', async () => {
    const a = await packageWasm({ wasmPath, layoutDir: join(dir, 'oci-epoch-a'), sourceDateEpoch: '1700000000' });
    const b = await packageWasm({ wasmPath, layoutDir: join(dir, 'oci-epoch-b'), sourceDateEpoch: '1700000000' });
    assert.equal(a.manifestDigest, b.manifestDigest);
    assert.notEqual(a.manifestDigest, r.manifestDigest);
    const config = json(a.image.config.bytes);
    assert.equal(config.created, '2023-11-14T22:13:20Z');
    const [{ header }] = await tarEntries(gunzipSync(a.image.layer.bytes));
    assert.equal(header.mtime?.getTime(), 1700000000 * 1000);
    await assert.rejects(packageWasm({ wasmPath, layoutDir: join(dir, 'oci-bad'), sourceDateEpoch: 'yesterday' }), /SOURCE_DATE_EPOCH/);
  });

  test('Istio-fetcher-style extraction: manifest digest = sha256, compat layer, plugin.wasm with \\0asm', async () => {
    const image = await fetchFromLayout(r.layoutDir, pkg.version, r.manifestDigest);
    assert.equal(image.variant, 'compat');
    assert.equal(image.manifestDigest, r.manifestDigest);
    assert.deepEqual([...image.wasm.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
    assert.equal(Buffer.compare(Buffer.from(image.wasm), Buffer.from(wasm)), 0);
    await assert.rejects(fetchFromLayout(r.layoutDir, pkg.version, sha256Hex(wasm)), /does not match/,
      'the module digest is not the oci:// sha256');
  });

  test('the extracted module runs in the simulated Envoy', async () => {
    const image = await fetchFromLayout(r.layoutDir);
    const host = await SimulatedEnvoy.start({ wasm: image.wasm, pluginConfig: { routes: [{ name: 'GET /healthz', method: 'GET', path: '/healthz' }] } });
    assert.equal(host.configured, true, host.startError);
    assert.equal(host.request({ method: 'GET', path: '/healthz', status: 200 }).filterState['wasm.istio_operationId'], 'GET /healthz');
    host.stop();
  });

  test('the CLI: --json summary, and a clear error without a build', () => {
    const cli = join(REPO_ROOT, 'cli', 'route-metrics.mjs');
    const ok = spawnSync(process.execPath, [cli, 'package', '--wasm', wasmPath, '--out', join(dir, 'oci-cli'), '--json'],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '' } });
    assert.equal(ok.status, 0, ok.stderr);
    const out = JSON.parse(ok.stdout);
    assert.equal(out.manifestDigest, r.manifestDigest);
    assert.equal(out.wasmSha256, sha256Hex(wasm));
    const missing = spawnSync(process.execPath, [cli, 'package', '--wasm', join(dir, 'nope.wasm'), '--out', join(dir, 'oci-x')],
      { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.wasm not found: run `npm run build` first/);
  });
});

describe('OCI image builder: pinned output', () => {
  // A fixed tiny module and fixed metadata: these digests change only if the tar or gzip bytes
  // change (a tar-stream or pako update, or an edit to oci-layer.ts / oci-image.ts). If that is
  // intended, every published digest changes too: update the values and say so in the changelog.
  const MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  const META = { title: 'route-metrics', version: '0.0.0-pinned', licenses: 'Apache-2.0' };

  test('same input → same digests on every machine', async () => {
    const image = await buildWasmImage(MODULE, META);
    assert.deepEqual(
      { layer: image.layer.digest, diffId: image.diffId, config: image.config.digest, manifest: image.manifest.digest },
      PINNED,
    );
  });

  test('not a Wasm module → refused', async () => {
    await assert.rejects(buildWasmImage(new TextEncoder().encode('hello world'), META), /no \\0asm magic/);
  });

  test('findPluginWasm walks the archive by base name', async () => {
    const image = await buildWasmImage(MODULE, META);
    assert.deepEqual([...(await findPluginWasm(image.layer.bytes))], [...MODULE]);
  });
});

describe('Istio fetcher rules (tests/support/oci-fetch.ts), on hand-made image shapes', () => {
  const MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'route-metrics-shapes-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A layout whose manifest is `edit(manifest)`, with `extra` blobs stored too. */
  async function layoutWith(name: string, edit: (m: any, layer: Descriptor) => any, extra: Uint8Array[] = []): Promise<string> {
    const image = await buildWasmImage(MODULE, { title: 't', version: '0' });
    const out = join(dir, name);
    writeOciLayout(out, image, 'x');
    for (const b of extra) writeFileSync(blobPath(out, `sha256:${sha256Hex(b)}`), b);
    const manifest = jsonBytes(edit(json(image.manifest.bytes), image.layer));
    writeFileSync(blobPath(out, `sha256:${sha256Hex(manifest)}`), manifest);
    writeFileSync(join(out, 'index.json'), jsonBytes({ schemaVersion: 2, manifests: [
      { mediaType: MEDIA_TYPE.manifest, digest: `sha256:${sha256Hex(manifest)}`, size: manifest.byteLength }] }));
    return out;
  }
  const raw = (b: Uint8Array, mediaType: string): Descriptor => ({ mediaType, digest: `sha256:${sha256Hex(b)}`, size: b.byteLength });

  test('compat with two tar layers is refused (older fetchers need exactly one)', async () => {
    const out = await layoutWith('two', (m, l) => ({ ...m, layers: [l, l] }));
    await assert.rejects(fetchFromLayout(out), /number of layers must be 1 but got 2/);
  });

  test('a Docker manifest needs the Docker layer media type', async () => {
    const out = await layoutWith('docker', (m) => ({ ...m, mediaType: MEDIA_TYPE.dockerManifest }));
    await assert.rejects(fetchFromLayout(out), /invalid media type application\/vnd\.oci\.image\.layer\.v1\.tar\+gzip/);
    const ok = await layoutWith('docker-ok', (m, l) => ({ ...m, mediaType: MEDIA_TYPE.dockerManifest, layers: [{ ...l, mediaType: MEDIA_TYPE.dockerLayer }] }));
    assert.equal((await fetchFromLayout(ok)).variant, 'docker');
  });

  test('the "oci" variant: two layers, one of them the raw module', async () => {
    const runtime = new TextEncoder().encode('{}');
    const out = await layoutWith('oci', (m) => ({ ...m, layers: [raw(runtime, 'application/vnd.module.wasm.runtime.config.v1+json'),
      raw(MODULE, MEDIA_TYPE.wasmArtifactLayer)] }), [runtime, MODULE]);
    const image = await fetchFromLayout(out);
    assert.equal(image.variant, 'oci');
    assert.deepEqual([...image.wasm], [...MODULE]);
  });

  test('a module without the \\0asm magic is refused', async () => {
    const notWasm = new TextEncoder().encode('#!/bin/sh\n');
    const out = await layoutWith('not-wasm', (m) => ({ ...m, layers: [raw(notWasm, 'application/vnd.module.wasm.runtime.config.v1+json'),
      raw(notWasm, MEDIA_TYPE.wasmArtifactLayer)] }), [notWasm]);
    await assert.rejects(fetchFromLayout(out), /not a valid Wasm binary/);
  });
});

const PINNED = {
  layer: 'sha256:48983783dace30d0fdfbe09f83ea030d2c401b540411da0e715750ea9b12ad59',
  diffId: 'sha256:a9816b7feae6dc53679420e29d649ad11d63a9fe00e6aab3f7263c7a9af0cdf9',
  config: 'sha256:bd19cf8cb7f96658fba1e371cb4d0dd3f4886d0e2338f9b03ad4419094904516',
  manifest: 'sha256:dd370bb81ae2b2427c9fa54a1f64794cfae13caec4212d9062677ca7aa95f041',
};
