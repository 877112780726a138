// The WasmPlugin `openapi -o wasmplugin|all` writes: `sha256` is the real digest of the packaged
// module (the OCI manifest digest for oci:// urls, as read back from the image layout `package`
// writes; the module's own sha256 for https://), and every value left to fill in is flagged, on
// stderr by field name and in the YAML with a PLACEHOLDER comment.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import { digestKind, githubOwner, releaseImageUrl } from '../../cli/plugin-source.ts';
import { sharedPath } from '../support/shared-data.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PETSTORE = join(REPO, 'tests/fixtures/openapi-petstore-plus.yaml');
const WASM = join(REPO, 'build/route-metrics.wasm');
const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
const SCHEMAS = sharedPath('schemas');
const dir = mkdtempSync(join(tmpdir(), 'rm-digests-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const wasmPluginOf = (yamlText: string) => parseAllDocuments(yamlText).map((d) => d.toJS() as Record<string, any>).find((d) => d.kind === 'WasmPlugin')!;
const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning: placeholder '));

describe('openapi: the WasmPlugin sha256 is the packaged module\'s', () => {
  let manifestDigest: string;
  before(() => {
    // The image `route-metrics package` builds from the same module: its manifest digest is what
    // Istio compares `sha256` with for an oci:// url.
    const out = join(dir, 'oci');
    const r = cli('package', '--wasm', WASM, '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    const hex = index.manifests[0].digest.replace('sha256:', '');
    manifestDigest = sha256(readFileSync(join(out, 'blobs', 'sha256', hex)));
    assert.equal(manifestDigest, hex);
  });

  test('oci:// url (the default): the manifest digest of the image of build/route-metrics.wasm', () => {
    const r = cli('openapi', PETSTORE, '-o', 'all');
    assert.equal(r.code, 0, r.stderr);
    const wp = wasmPluginOf(r.stdout);
    assert.equal(wp.spec.sha256, manifestDigest);
    assert.match(r.stderr, /note: spec\.sha256: manifest digest of the OCI image of .*route-metrics\.wasm/);
    assert.doesNotMatch(r.stdout, /registry\.example\.com/);
  });

  test('https:// url: the sha256 of the module bytes, no placeholder', () => {
    const r = cli('openapi', PETSTORE, '-o', 'wasmplugin', '--url', 'https://downloads.example.org/route-metrics/route-metrics.wasm');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(wasmPluginOf(r.stdout).spec.sha256, sha256(readFileSync(WASM)));
    assert.deepEqual(warnings(r.stderr), []);
    assert.doesNotMatch(r.stdout, /PLACEHOLDER/);
  });

  test('an explicit oci:// url: nothing left to fill in', () => {
    const r = cli('openapi', PETSTORE, '-o', 'all', '--url', `oci://ghcr.io/acme/route-metrics:${VERSION}`, '--target-gateway', 'w');
    assert.equal(r.code, 0, r.stderr);
    const wp = wasmPluginOf(r.stdout);
    assert.equal(wp.spec.url, `oci://ghcr.io/acme/route-metrics:${VERSION}`);
    assert.equal(wp.spec.sha256, manifestDigest);
    assert.deepEqual(warnings(r.stderr), []);
    assert.doesNotMatch(r.stdout, /PLACEHOLDER/);
  });

  test('--sha256 wins (with or without the sha256: prefix); a malformed one is a usage error', () => {
    const hex = 'ab'.repeat(32);
    assert.equal(wasmPluginOf(cli('openapi', PETSTORE, '-o', 'wasmplugin', '--sha256', hex).stdout).spec.sha256, hex);
    assert.equal(wasmPluginOf(cli('openapi', PETSTORE, '-o', 'wasmplugin', '--sha256', `sha256:${hex.toUpperCase()}`).stdout).spec.sha256, hex);
    const bad = cli('openapi', PETSTORE, '-o', 'wasmplugin', '--sha256', 'abc');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--sha256 "abc": expected 64 hex digits/);
  });

  test('-o telemetry and -o config write no WasmPlugin, so no digest and no placeholder', () => {
    for (const o of ['telemetry', 'config']) {
      const r = cli('openapi', PETSTORE, '-o', o);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(warnings(r.stderr), [], o);
      assert.doesNotMatch(r.stdout, /sha256/, o);
    }
  });
});

describe('openapi: placeholders are flagged, each by field', () => {
  test('the default url: the release image with OWNER to replace; a warning line and a PLACEHOLDER comment', () => {
    const r = cli('openapi', PETSTORE, '-o', 'all');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(warnings(r.stderr), [
      `warning: placeholder spec.url = "oci://ghcr.io/OWNER/route-metrics:${VERSION}": replace OWNER with the owner of the ghcr.io image the release workflow pushed, or pass --url`,
    ]);
    assert.match(r.stdout, /  # PLACEHOLDER: replace OWNER .*\n  url: oci:\/\/ghcr\.io\/OWNER\/route-metrics:/);
    assert.equal(wasmPluginOf(r.stdout).spec.url, `oci://ghcr.io/OWNER/route-metrics:${VERSION}`);
  });

  test('no module to take the digest of: sha256 left out, and flagged', () => {
    const r = cli('openapi', PETSTORE, '-o', 'wasmplugin', '--url', 'oci://ghcr.io/acme/route-metrics:1.0.0', '--wasm', join(dir, 'missing.wasm'));
    assert.equal(r.code, 0, r.stderr);
    const wp = wasmPluginOf(r.stdout);
    assert.equal(wp.spec.sha256, undefined);
    const w = warnings(r.stderr);
    assert.equal(w.length, 1);
    assert.match(w[0]!, /^warning: placeholder spec\.sha256 \(not set\): left out: no module at .*missing\.wasm/);
    assert.match(r.stdout, /# PLACEHOLDER \(spec\.sha256 not set\): left out: /);
  });

  test('both placeholders at once: two warnings, two comment lines above url', () => {
    const r = cli('openapi', PETSTORE, '-o', 'wasmplugin', '--wasm', join(dir, 'missing.wasm'));
    assert.equal(warnings(r.stderr).length, 2);
    assert.match(r.stdout, /  # PLACEHOLDER: replace OWNER.*\n  # PLACEHOLDER \(spec\.sha256 not set\).*\n  url: /);
  });

  test('the written WasmPlugin passes the CRD schema (sha256 is 64 hex digits)', { skip: existsSync(SCHEMAS) ? false : 'no CRD schemas' }, () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(join(SCHEMAS, 'wasmplugin.v1alpha1.json'), 'utf8')));
    const wp = wasmPluginOf(cli('openapi', PETSTORE, '-o', 'wasmplugin', '--selector', 'app=petstore').stdout);
    assert.ok(validate(wp), JSON.stringify(validate.errors));
  });

  test('lint takes the written manifests as they are', () => {
    const file = join(dir, 'all.yaml');
    const r = cli('openapi', PETSTORE, '-o', 'all', '--default', 'other', '--url', `oci://ghcr.io/acme/route-metrics:${VERSION}`);
    assert.equal(r.code, 0, r.stderr);
    writeFileSync(file, r.stdout);
    const lint = cli('lint', file);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  });
});

describe('plugin source: url and digest rules', () => {
  test('the GitHub owner from package.json repository, lowercased for ghcr.io', () => {
    assert.equal(githubOwner('github:Acme/route-metrics'), 'acme');
    assert.equal(githubOwner({ url: 'git+https://github.com/acme-corp/route-metrics.git' }), 'acme-corp');
    assert.equal(githubOwner('git@github.com:acme/route-metrics.git'), 'acme');
    assert.equal(githubOwner('https://gitlab.com/acme/route-metrics'), undefined);
    assert.equal(githubOwner(undefined), undefined);
  });

  test('the release image url: ghcr.io/<owner>/route-metrics:<version>, OWNER when unknown', () => {
    assert.deepEqual(releaseImageUrl({ version: '1.2.3', repository: 'github:Acme/route-metrics' }), { url: 'oci://ghcr.io/acme/route-metrics:1.2.3', ownerKnown: true });
    assert.deepEqual(releaseImageUrl({ version: '1.2.3' }), { url: 'oci://ghcr.io/OWNER/route-metrics:1.2.3', ownerKnown: false });
  });

  test('which digest Istio checks: the manifest for oci:// (and no scheme), the module for http(s):// and file://', () => {
    assert.equal(digestKind('oci://ghcr.io/a/b:1'), 'manifest');
    assert.equal(digestKind('ghcr.io/a/b:1'), 'manifest');
    assert.equal(digestKind('https://x/y.wasm'), 'module');
    assert.equal(digestKind('HTTP://x/y.wasm'), 'module');
    assert.equal(digestKind('file:///opt/y.wasm'), 'module');
  });
});
