// Installable without cloning: `npm pack` (its prepack builds the .wasm when needed, packages it
// and compiles the CLI to dist/), then `npm install ./route-metrics-X.tgz` in an empty directory,
// and the installed `route-metrics` runs check, lint, openapi, serve and package with no build
// step and no AssemblyScript, TypeScript or tsx at run time. Needs the npm registry for the
// runtime dependencies; each step is bounded. Run by .ci/run and the release workflow
// (`npm run test:pack`), not by `npm test`.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
const MINUTES = 60_000;
const work = mkdtempSync(join(tmpdir(), 'rm-pack-'));
const app = join(work, 'app');
const installed = join(app, 'node_modules', PKG.name);
let tarball: string;

// `npm run` puts the repository's node_modules/.bin first on PATH, and a devDependency brings an
// old npm along: use the npm that started this run (npm_execpath), and a PATH without the
// repository, so nothing of the checkout can stand in for what the package should bring itself.
const NPM = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
const PATH = (process.env.PATH ?? '').split(':').filter((p) => !/node_modules[\\/]\.bin$/.test(p)).join(':');

function run(cmd: string[], cwd: string, timeout = 2 * MINUTES): SpawnSyncReturns<string> {
  // SOURCE_DATE_EPOCH unset, as in the release workflow: the digests below are the published ones.
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd, encoding: 'utf8', timeout, env: { ...process.env, PATH, NO_COLOR: '1', SOURCE_DATE_EPOCH: '' } });
  if (r.error) throw r.error;
  return r;
}
const npm = (args: string[], cwd: string, timeout?: number) => run([...NPM, ...args], cwd, timeout);
/** The installed executable, the way a user runs it: `npx route-metrics …` (`--no`: never fetch it). */
const npx = (...args: string[]) => npm(['exec', '--no', '--', 'route-metrics', ...args], app);
const ok = (r: SpawnSyncReturns<string>, what: string) => assert.equal(r.status, 0, `${what}:\n${r.stdout}\n${r.stderr}`);

before(() => {
  const packed = npm(['pack', '--pack-destination', work], REPO, 10 * MINUTES);
  ok(packed, 'npm pack');
  tarball = join(work, `${PKG.name}-${PKG.version}.tgz`);
  assert.ok(existsSync(tarball), `${tarball} not written`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'try-route-metrics', version: '1.0.0', private: true }));
  ok(npm(['install', tarball, '--no-audit', '--no-fund'], app, 5 * MINUTES), 'npm install <tarball>');
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('npm package: the tarball', () => {
  test('holds the CLI (compiled), the release .wasm and its sha256, the OCI packaging, the examples; no sources or tests', () => {
    const list = run(['tar', '-tzf', tarball], work);
    ok(list, 'tar -tzf');
    const files = list.stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    for (const f of ['package.json', 'README.md', 'cli/route-metrics.mjs', 'dist/cli/main.js', 'dist/cli/program.js', 'dist/cli/oci/oci-image.js',
      'dist/cli/oci/package-artifacts.js', 'dist/host/index.js', 'build/route-metrics.wasm', 'build/route-metrics.wasm.sha256',
      'examples/config/wasmplugin-local.yaml', 'examples/config/telemetry-local.yaml', 'examples/waypoint/wasmplugin-native.yaml', 'examples/README.md']) {
      assert.ok(files.includes(f), `missing ${f}`);
    }
    for (const f of files) {
      assert.doesNotMatch(f, /^(assembly|tests|bench|scripts|patches|node_modules)\//, f);
      assert.doesNotMatch(f, /\.ts$/, `${f}: TypeScript source in the package`);
    }
  });

  test('the sha256 file describes the .wasm it ships', () => {
    const wasm = readFileSync(join(installed, 'build/route-metrics.wasm'));
    const line = readFileSync(join(installed, 'build/route-metrics.wasm.sha256'), 'utf8');
    assert.equal(line, `${createHash('sha256').update(wasm).digest('hex')}  route-metrics.wasm\n`);
  });
});

describe('npm package: installed in an empty directory', () => {
  test('no build toolchain among the installed packages; the runtime dependencies are there', () => {
    const modules = readdirSync(join(app, 'node_modules'));
    const scoped = (scope: string) => (modules.includes(scope) ? readdirSync(join(app, 'node_modules', scope)).map((n) => `${scope}/${n}`) : []);
    const all = [...modules, ...scoped('@solo-io'), ...scoped('@as-pect')];
    for (const tool of ['assemblyscript', 'typescript', 'tsx', 'patch-package', '@solo-io/proxy-runtime', '@as-pect/cli', 'wabt']) {
      assert.ok(!all.includes(tool), `${tool} was installed`);
    }
    for (const dep of Object.keys(PKG.dependencies)) assert.ok(existsSync(join(app, 'node_modules', dep, 'package.json')), `${dep} missing`);
  });

  test('--version, --help, and the help of every command it lists (routes and slo too, once they exist)', () => {
    const v = npx('--version');
    ok(v, '--version');
    assert.equal(v.stdout.trim(), PKG.version);
    const help = npx('--help');
    ok(help, '--help');
    const commands = [...help.stdout.matchAll(/^  ([a-z][a-z-]*) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    for (const c of ['serve', 'check', 'lint', 'openapi', 'package', 'bench']) assert.ok(commands.includes(c), `--help lists ${c}`);
    for (const c of commands) ok(npx(c, '--help'), `${c} --help`);
  });

  test('check: the shipped example classifies; a bad path is a usage error', () => {
    ok(npx('check', join(installed, 'examples/config/native.json'), 'GET', '/users/42', '--expect', 'GET /users/{id}'), 'check');
    assert.equal(npx('check', join(installed, 'examples/config/native.json'), 'GET', 'users').status, 2);
  });

  test('lint --strict passes on the shipped examples', () => {
    ok(npx('lint', '--strict', join(installed, 'examples/waypoint/wasmplugin-native.yaml'), join(installed, 'examples/waypoint/telemetry.yaml')), 'lint native');
    ok(npx('lint', '--strict', join(installed, 'examples/sidecar/wasmplugin-attributegen.yaml')), 'lint attributegen');
  });

  test('openapi -o all writes the sha256 of the shipped module: the manifest digest `npm pack` published', () => {
    const spec = join(app, 'petstore.yaml');
    copyFileSync(join(REPO, 'tests/fixtures/openapi-petstore-plus.yaml'), spec);
    const r = npx('openapi', spec, '-o', 'all', '--url', `oci://ghcr.io/acme/route-metrics:${PKG.version}`);
    ok(r, 'openapi');
    const digest = readFileSync(join(REPO, 'build/oci/DIGEST'), 'utf8').trim().replace('sha256:', '');
    assert.match(r.stdout, new RegExp(`\\n  sha256: ${digest}\\n`));
    assert.doesNotMatch(r.stderr, /placeholder/);
  });

  test('package writes the same image (same digest) from the installed module, into the working directory', () => {
    const r = npx('package', '--json');
    ok(r, 'package');
    const out = JSON.parse(r.stdout) as { layoutDir: string; manifestDigest: string };
    assert.equal(out.layoutDir, join(app, 'route-metrics-oci'));
    assert.equal(`sha256:${out.manifestDigest}`, readFileSync(join(REPO, 'build/oci/DIGEST'), 'utf8').trim());
  });

  test('serve: the sample app, the proxy with the shipped .wasm, traffic, a summary, exit 0', () => {
    const r = npx('serve', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--app', '127.0.0.1:0', '--traffic', '20', '--exit');
    ok(r, 'serve');
    assert.match(r.stdout, /route-metrics dev proxy — .*node_modules\/route-metrics\/build\/route-metrics\.wasm/);
    assert.match(r.stdout, /sent 20 requests in/);
    assert.match(r.stdout, /^GET \/healthz\s+\d+/m);
  });

  test('bench says it needs a checkout (exit 1), and its --help still works', () => {
    const r = npx('bench');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the benchmark is not part of this installation/);
    ok(npx('bench', '--help'), 'bench --help');
  });
});
