// The `route-metrics` executable as a whole: help with examples, version, usage errors (exit 2),
// colours only when asked for, and the package delegation.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sharedPath } from '../support/shared-data.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
const dir = mkdtempSync(join(tmpdir(), 'rm-main-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string | undefined> = { NO_COLOR: '1' }) {
  const r = spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, cwd: dir, env: { ...process.env, FORCE_COLOR: undefined, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('route-metrics (the executable)', () => {
  test('--help lists every command with examples and exit codes; works from any directory', () => {
    const r = cli(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['serve', 'check', 'lint', 'openapi', 'package', 'bench']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
    assert.match(r.stdout, /Examples:\n\s+\$ route-metrics serve/);
    assert.match(r.stdout, /Exit codes: 0 ok, 1 failure .*, 2 usage error\./);
  });

  test('each command has its own help with examples', () => {
    for (const c of ['serve', 'check', 'lint', 'openapi', 'package', 'bench']) {
      const r = cli([c, '--help']);
      assert.equal(r.code, 0, c);
      assert.match(r.stdout, /Examples:/, c);
    }
    assert.match(cli(['serve', '--help']).stdout, /ROUTE_METRICS_LISTEN/);
  });

  test('--version', () => {
    assert.equal(cli(['--version']).stdout.trim(), VERSION);
  });

  test('usage errors exit 2', () => {
    assert.equal(cli(['no-such-command']).code, 2);
    assert.equal(cli(['serve', '--listen', 'not-an-address']).code, 2);
    assert.equal(cli(['serve', '--traffic', '-1']).code, 2);
    assert.equal(cli(['openapi']).code, 2);
  });

  test('an unknown option is a usage error (exit 2, "unknown option") for every command', () => {
    for (const c of ['serve', 'check', 'lint', 'openapi', 'package', 'bench']) {
      const r = cli([c, '--no-such-flag']);
      assert.equal(r.code, 2, `${c}: ${r.stderr}`);
      assert.match(r.stderr, /error: unknown option '--no-such-flag'/, c);
      assert.match(r.stderr, /run with --help for usage/, c);
    }
    assert.equal(cli(['bench', 'extra-argument']).code, 2, 'bench takes no arguments');
    assert.equal(cli(['bench', '--mode', 'fast']).code, 2, '--mode is host, compute or both');
    assert.equal(cli(['package', '--out']).code, 2, '--out needs a value');
  });

  test('output piped into a reader that closes early (| head -c 1): exit 0, no EPIPE stack', () => {
    // ~200 KB of YAML, more than a pipe holds, so the CLI is still writing when head is gone.
    const spec = sharedPath('data/openapi/kubernetes.swagger.json.gz');
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${join(REPO, 'cli/route-metrics.mjs')}" openapi "${spec}" | head -c 1 >/dev/null`], { encoding: 'utf8', timeout: 60_000, cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE/);
  });

  test('bench --help prints help and does not run the benchmark', () => {
    const r = cli(['bench', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: route-metrics bench/m);
    for (const v of ['BENCH_MODE', 'BENCH_QUICK', 'BENCH_SIZES', 'BENCH_RUNS', 'BENCH_PER_RUN', 'BENCH_WARMUP', 'BENCH_MEMORY_REQUESTS']) assert.match(r.stdout, new RegExp(v));
    assert.match(r.stdout, /--mode <mode>[^]*choices:\s+"host", "compute", "both"/);
    assert.match(r.stdout, /--quick/);
    // Had the benchmark run, its progress and tables would follow: the help is all there is.
    assert.equal(r.stderr, '');
    assert.match(r.stdout.trimEnd(), /\$ BENCH_SIZES=10,1000 BENCH_RUNS=3 route-metrics bench$/);
  });

  test('package --help prints its options; a bad --image is a clear failure', () => {
    const r = cli(['package', '--help']);
    assert.equal(r.code, 0);
    for (const o of ['--wasm', '--out', '--tag', '--image', '--json']) assert.match(r.stdout, new RegExp(`  ${o}\\b`));
    const bad = cli(['package', '--image', 'ghcr.io/Acme/route-metrics:1.0', '--out', join(dir, 'oci-bad')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /route-metrics package: --image "ghcr\.io\/Acme\/route-metrics:1\.0": expected a repository without tag/);
  });

  test('colour only on request: NO_COLOR wins, FORCE_COLOR turns it on for a pipe', () => {
    const args = ['check', join(REPO, 'examples/config/native.json'), 'GET', '/healthz'];
    assert.doesNotMatch(cli(args, {}).stdout, /\x1b\[/); // a pipe is not a TTY
    assert.doesNotMatch(cli(args, { NO_COLOR: '1', FORCE_COLOR: '1' }).stdout, /\x1b\[/);
    assert.match(cli(args, { FORCE_COLOR: '1', NO_COLOR: undefined }).stdout, /\x1b\[/);
  });

  test('package runs cli/commands/package.ts', { skip: !existsSync(join(REPO, 'cli/commands/package.ts')) }, () => {
    const out = join(dir, 'oci');
    const r = cli(['package', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).manifestDigest, /^[0-9a-f]{64}$/);
    assert.ok(existsSync(join(out, 'index.json')));
  });

  test('package: the references it prints flag each placeholder, or use --image', () => {
    const plain = cli(['package', '--out', join(dir, 'oci-plain')]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /url: oci:\/\/REGISTRY\/route-metrics:/);
    assert.match(plain.stdout, /^placeholder REGISTRY: .*--image/m);
    assert.match(plain.stdout, /^placeholder HOST\/PATH: /m);
    const real = cli(['package', '--out', join(dir, 'oci-real'), '--image', 'ghcr.io/acme/route-metrics']);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, new RegExp(`url: oci://ghcr\\.io/acme/route-metrics:${VERSION.replace(/\./g, '\\.')}\\n`));
    assert.match(real.stdout, new RegExp(`docker://ghcr\\.io/acme/route-metrics:${VERSION.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(real.stdout, /REGISTRY/);
    const json = JSON.parse(cli(['package', '--out', join(dir, 'oci-json'), '--image', 'ghcr.io/acme/route-metrics', '--json']).stdout);
    assert.equal(json.url, `oci://ghcr.io/acme/route-metrics:${VERSION}`);
  });
});
