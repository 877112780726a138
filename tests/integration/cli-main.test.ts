// The `route-metrics` executable as a whole: help with examples, version, usage errors (exit 2),
// colours only when asked for, and the package delegation.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
    for (const c of ['serve', 'check', 'lint', 'openapi']) {
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
});
