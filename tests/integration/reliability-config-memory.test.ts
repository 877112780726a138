// Configure-time memory is bounded by the configuration's size (issue 11 §2): linear memory never
// shrinks and every Envoy worker has its own VM, so the peak of on_configure is paid for the life
// of the proxy. Bound: 16 × the JSON size in pages, plus 4 MiB (the module's own pages and the
// allocator's rounding). Measured as page counts of the release .wasm in the simulated host.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startFilter } from '../support/filter.ts';
import { generatedConfig, type ConfigKind } from '../../bench/config-memory.ts';

const PAGE = 65536;
const SLACK_PAGES = 64; // 4 MiB

function boundFor(jsonBytes: number): number {
  return 16 * Math.ceil(jsonBytes / PAGE) + SLACK_PAGES;
}

describe('peak memory while configuring 10,000 routes stays within 16 × the JSON size', () => {
  const kinds: ConfigKind[] = ['exact', 'prefix', 'template', 'regex', 'mixed'];
  for (const kind of kinds) {
    test(`${kind} routes`, async () => {
      const text = JSON.stringify(generatedConfig(kind, 10_000));
      const host = await startFilter(text);
      assert.equal(host.configured, true, host.startError);
      const pages = host.memoryPages();
      assert.ok(pages <= boundFor(text.length), `${pages} pages for ${text.length} bytes of JSON (bound ${boundFor(text.length)})`);
      // Configuring again on the running root: the previous configuration is live until the new one
      // replaces it, so at most both.
      assert.equal(host.reconfigure(text, { mode: 'same-root' }), true);
      assert.ok(host.memoryPages() <= 2 * boundFor(text.length), `${host.memoryPages()} pages after reconfiguring`);
      const r = await host.request({ method: 'GET', path: '/nothing/here' });
      assert.equal(r.trapped, false);
    });
  }
});

describe('peak memory while configuring 10,000 attributegen conditions stays within 16 × the JSON size', () => {
  // Before: 1088 pages (76 × the JSON) for either kind: the parse tree stayed live while the
  // conditions compiled, each condition left ~5 KB of garbage that was never collected during
  // configure, and a compiled comparison took ~1.5 KB. Now the JSON is collected first, conditions
  // are compiled with collections between them (filter/configure-gc.ts), syntax trees and tokens
  // are pooled, and a compiled condition is about a third of its former size (cel/value.ts, eval.ts).
  const cases: [ConfigKind, string, string][] = [
    ['attributegen', '/path4321', 'op 4321'], // request.method == '…' && request.url_path == '…'
    ['attributegen-regex', '/api/v2/svc53/res4321', 'op 4321'], // request.url_path.matches('^…$')
  ];
  for (const [kind, path, op] of cases) {
    test(`${kind} conditions`, async () => {
      const text = JSON.stringify(generatedConfig(kind, 10_000));
      const host = await startFilter(text);
      assert.equal(host.configured, true, host.startError);
      const pages = host.memoryPages();
      console.log(`# ${kind}: ${pages} pages for ${text.length} bytes of JSON (${((pages * PAGE) / text.length).toFixed(1)} ×)`);
      assert.ok(pages <= boundFor(text.length), `${pages} pages for ${text.length} bytes of JSON (bound ${boundFor(text.length)})`);
      assert.equal(host.reconfigure(text, { mode: 'same-root' }), true);
      assert.ok(host.memoryPages() <= 2 * boundFor(text.length), `${host.memoryPages()} pages after reconfiguring`);
      // The last of the conditions still decides: nothing was lost on the way.
      const method = kind === 'attributegen' ? 'POST' : 'GET';
      assert.equal(host.request({ method, path }).filterState['wasm.istio_operationId'], op);
      assert.equal(host.request({ method, path: path + 'x' }).filterState['wasm.istio_operationId'], undefined);
    });
  }
});

describe('the configuration size limit', () => {
  test('a configuration over 32 MiB is refused with an error naming the limit, without trapping', async () => {
    const size = (32 << 20) + 1;
    const config = new Uint8Array(size).fill(0x20);
    config.set(new TextEncoder().encode('{"routes":[{"name":"a","path":"/a"}]}'));
    const host = await startFilter(config);
    const errors = host.logsAtLeast('error').map((l) => l.message);
    assert.ok(errors.some((m) => m.endsWith(`config error: pluginConfig is ${size} bytes, more than the limit of 32 MiB`)), errors.join('\n'));
    // Nothing beyond the copy of the configuration the host hands over.
    assert.ok(host.memoryPages() <= 2 * Math.ceil(size / PAGE) + SLACK_PAGES, `${host.memoryPages()} pages`);
  });
});
