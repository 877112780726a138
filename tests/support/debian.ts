// Finds a command on PATH, installing its Debian package first when that is possible here (root +
// apt-get). The only place the test suites run apt-get.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** apt-get update / install may each take a while on a cold cache; bounded so CI cannot hang. */
const APT_TIMEOUT_MS = 10 * 60 * 1000;

let aptUpdated = false;

/** Absolute path of `cmd` on PATH, or undefined. */
export function findOnPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function apt(args: string[]): void {
  // Another process (a parallel test file) may hold the dpkg lock: wait for it instead of failing.
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
    encoding: 'utf8',
    timeout: APT_TIMEOUT_MS,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit code ${r.status}`;
    const tail = `${r.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`apt-get ${args.join(' ')} failed (${why})${tail ? `:\n${tail}` : ''}`);
  }
}

/**
 * Returns the path of `cmd`. If it is not on PATH and this process runs as root with apt-get, runs
 * `apt-get update` (once per process) and installs `debPackage`; otherwise throws with the command
 * to run by hand.
 */
export function ensureCommand(cmd: string, debPackage: string): string {
  const found = findOnPath(cmd);
  if (found) return found;
  const manual = `install it with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${debPackage}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !findOnPath('apt-get')) {
    throw new Error(`'${cmd}' is not on PATH and cannot be installed automatically (needs root and apt-get); ${manual}`);
  }
  try {
    if (!aptUpdated) {
      apt(['update']);
      aptUpdated = true;
    }
    apt(['install', '-y', '--no-install-recommends', debPackage]);
  } catch (e) {
    throw new Error(`'${cmd}' is not on PATH and installing the Debian package '${debPackage}' failed: ${(e as Error).message}\n${manual}`);
  }
  const installed = findOnPath(cmd);
  if (!installed) throw new Error(`the Debian package '${debPackage}' was installed but '${cmd}' is still not on PATH; ${manual}`);
  return installed;
}
