// Where the shared test data (../shared: CRD schemas, real OpenAPI descriptions) is. In CI the clone
// has shared/ beside it; a git worktree elsewhere finds it beside the main checkout instead.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function mainCheckout(): string | null {
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirname(common);
  } catch {
    return null;
  }
}

/** The path of `sub` inside shared/ (e.g. "schemas"), from the first place that has it. */
export function sharedPath(sub: string): string {
  const beside = resolve(REPO, '../shared', sub);
  if (existsSync(beside)) return beside;
  const main = mainCheckout();
  const other = main ? resolve(main, '../shared', sub) : null;
  return other && existsSync(other) ? other : beside;
}
