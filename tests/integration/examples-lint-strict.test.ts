// Every shipped example passes the gate the README recommends, `route-metrics lint --strict`:
// each plugin configuration (bare JSON or a WasmPlugin) alone and together with the Telemetry of
// its folder, and each Telemetry alone. Files lint does not take (Namespace, Gateway, Prometheus
// and Grafana files) are listed by kind so a new example cannot slip past unnoticed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { formatLint, runLint } from '../../cli/commands/lint.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(REPO, 'examples');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])).sort();
}

type Kind = 'plugin' | 'telemetry' | 'other';

/** What lint would see in a file: a plugin configuration, a Telemetry only, or nothing it takes. */
function kindOf(file: string): Kind {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    const v = JSON.parse(text) as Record<string, unknown>;
    return Array.isArray(v.routes) || Array.isArray(v.services) || Array.isArray(v.attributes) ? 'plugin' : 'other';
  }
  if (!/\.ya?ml$/.test(file)) return 'other';
  const kinds = parseAllDocuments(text).map((d) => (d.toJS() as { kind?: string } | null)?.kind);
  if (kinds.includes('WasmPlugin')) return 'plugin';
  return kinds.includes('Telemetry') ? 'telemetry' : 'other';
}

const ALL = files(EXAMPLES);
const KIND = new Map(ALL.map((f) => [f, kindOf(f)]));
const rel = (f: string) => relative(EXAMPLES, f);
const plugins = ALL.filter((f) => KIND.get(f) === 'plugin');
const telemetries = ALL.filter((f) => KIND.get(f) === 'telemetry');

async function strict(config: string[]): Promise<void> {
  const { report, exitCode } = await runLint({ config, strict: true });
  assert.equal(exitCode, 0, `lint --strict ${config.map(rel).join(' ')}:\n${formatLint(report)}`);
  assert.equal(report.counts.error + report.counts.warning, 0);
}

describe('examples: lint --strict', () => {
  test('the examples lint takes are found (plugin configurations in every form, and Telemetries)', () => {
    for (const f of ['config/native.json', 'config/attributegen.json', 'config/wasmplugin-local.yaml', 'sidecar/wasmplugin-native.yaml',
      'sidecar/wasmplugin-attributegen.yaml', 'waypoint/wasmplugin-native.yaml', 'waypoint/wasmplugin-attributegen.yaml',
      'config/services.json', 'waypoint/wasmplugin-services.yaml']) {
      assert.ok(plugins.map(rel).includes(f), `${f} is not seen as a plugin configuration`);
    }
    for (const f of ['config/telemetry-local.yaml', 'sidecar/telemetry.yaml', 'waypoint/telemetry.yaml', 'mesh/telemetry-mesh.yaml']) {
      assert.ok(telemetries.map(rel).includes(f), `${f} is not seen as a Telemetry`);
    }
  });

  test('everything else is a kind lint does not take (and is checked by examples-manifests / examples-promql)', () => {
    for (const f of ALL.filter((x) => KIND.get(x) === 'other')) {
      assert.match(rel(f), /(README\.md|\.md|grafana\/.*\.json|prometheus\/.*\.ya?ml|namespace\.yaml|waypoint\.yaml|podinfo\.yaml|mesh\/istio.*\.yaml)$/, `${rel(f)}: what is it?`);
    }
  });

  for (const plugin of plugins) {
    test(`${rel(plugin)}`, async () => strict([plugin]));
    for (const telemetry of telemetries.filter((t) => dirname(t) === dirname(plugin))) {
      test(`${rel(plugin)} + ${rel(telemetry)}`, async () => strict([plugin, telemetry]));
    }
  }
  for (const telemetry of telemetries) test(`${rel(telemetry)}`, async () => strict([telemetry]));
});
