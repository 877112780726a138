// .github/workflows/release.yml: parses, triggers on version tags only, has the permissions it
// needs, runs the tests before anything is published, pushes the OCI layout `package` wrote with
// its digests kept (and checks the registry's digest), and attaches the .wasm and its sha256 to the
// release. Each `run:` script is checked by `bash -n`, and each `npm run` names a real script.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TEXT = readFileSync(join(REPO, '.github/workflows/release.yml'), 'utf8');
const SCRIPTS = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

interface Step { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Workflow {
  name: string;
  on: { push?: { tags?: string[]; branches?: string[] } } & Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; steps: Step[]; 'timeout-minutes'?: number }>;
}

const wf = parse(TEXT) as Workflow;
const jobs = Object.values(wf.jobs);
const steps = jobs.flatMap((j) => j.steps);
/** Index of the first step whose run script matches. */
const at = (re: RegExp) => {
  const i = steps.findIndex((s) => s.run !== undefined && re.test(s.run));
  assert.ok(i >= 0, `no step runs ${re}`);
  return i;
};

describe('release workflow', () => {
  test('parses; one job on a GitHub-hosted runner, bounded in time', () => {
    assert.equal(wf.name, 'release');
    assert.equal(jobs.length, 1);
    assert.match(jobs[0]!['runs-on'], /^ubuntu-/);
    assert.ok((jobs[0]!['timeout-minutes'] ?? 0) > 0);
  });

  test('runs on version tags only', () => {
    assert.deepEqual(Object.keys(wf.on), ['push']);
    assert.deepEqual(wf.on.push, { tags: ['v*'] });
  });

  test('permissions: write releases and packages, nothing else', () => {
    assert.deepEqual(wf.permissions, { contents: 'write', packages: 'write' });
  });

  test('checks out, sets up Node 20, and checks that the tag is the package version', () => {
    assert.ok(steps[0]!.uses?.startsWith('actions/checkout@v'));
    const node = steps.find((s) => s.uses?.startsWith('actions/setup-node@v'));
    assert.equal(node?.with?.['node-version'], 20);
    const check = steps[at(/require\('\.\/package\.json'\)\.version/)]!.run!;
    assert.match(check, /"v\$version" != "\$GITHUB_REF_NAME"/);
    assert.match(check, /\$\{GITHUB_REPOSITORY_OWNER,,\}/, 'ghcr.io wants the owner in lowercase');
  });

  test('the tests run before the image is built, pushed or released', () => {
    const ci = at(/^npm ci\b/);
    const tests = at(/^npm test$/m);
    const pkg = at(/npm run package -- --image "\$IMAGE"/);
    const push = at(/skopeo copy/);
    const release = at(/gh release create/);
    assert.ok(ci < tests && tests < pkg && pkg < push && push < release, `order: ${[ci, tests, pkg, push, release]}`);
    assert.ok(at(/npm run test:pack/) < push, 'the npm tarball install test runs before publishing');
  });

  test('pushes the OCI layout with its digests to ghcr.io, logging in with GITHUB_TOKEN on stdin', () => {
    const push = steps[at(/skopeo copy/)]!;
    assert.equal(push.env?.GITHUB_TOKEN, '${{ secrets.GITHUB_TOKEN }}');
    assert.match(push.run!, /skopeo login ghcr\.io --username "\$GITHUB_ACTOR" --password-stdin/);
    assert.doesNotMatch(push.run!, /--password[ =]/, 'no token on a command line');
    assert.match(push.run!, /skopeo copy --preserve-digests "oci:build\/oci:\$VERSION" "docker:\/\/\$IMAGE:\$VERSION"/);
    assert.match(steps[at(/IMAGE=ghcr\.io\/\$owner\/route-metrics/)]!.run!, /GITHUB_ENV/);
  });

  test('checks that the registry serves the manifest digest of build/oci/DIGEST', () => {
    const verify = steps[at(/skopeo inspect --raw/)]!.run!;
    assert.match(verify, /build\/oci\/DIGEST/);
    assert.match(verify, /sha256sum/);
    assert.match(verify, /exit 1/);
  });

  test('attaches the .wasm, its sha256, the OCI digest and the npm tarball to the release', () => {
    const release = steps[at(/gh release create/)]!;
    assert.equal(release.env?.GH_TOKEN, '${{ secrets.GITHUB_TOKEN }}');
    for (const asset of ['build/route-metrics.wasm', 'build/route-metrics.wasm.sha256', 'build/route-metrics.wasm.names', 'build/route-metrics.oci-digest', '"build/route-metrics-$VERSION.tgz"']) {
      assert.ok(release.run!.includes(` ${asset}`), `asset ${asset}`);
    }
    assert.match(release.run!, /url: oci:\/\/\$IMAGE:\$VERSION/);
    assert.match(release.run!, /oci:\/\/\$IMAGE@sha256:\$MANIFEST_DIGEST/);
  });

  test('SOURCE_DATE_EPOCH stays unset, so the published digest is the one the CLI computes', () => {
    const uncommented = TEXT.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
    assert.doesNotMatch(uncommented, /SOURCE_DATE_EPOCH/);
  });

  test('every npm run names a script of package.json', () => {
    const used = [...TEXT.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    assert.ok(used.length >= 2);
    for (const s of used) assert.ok(SCRIPTS[s], `npm run ${s}: no such script`);
  });

  test('every run script is valid bash', () => {
    for (const s of steps.filter((x) => x.run)) {
      const script = s.run!.replace(/\$\{\{[^}]*\}\}/g, 'X');
      const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      assert.equal(r.status, 0, `${s.name ?? s.run}: ${r.stderr}`);
    }
  });
});
