// Configure-time memory of regex routes, as wasm page counts (64 KiB) of the real filter in the
// simulated host. The regexes' share is measured against the same table with exact paths, so
// the bound is about the regex engine alone (the JSON and route-table share is bounded elsewhere).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFilter } from '../support/filter.ts';

const PAGE = 64 * 1024;
const N = 20000;
/** Bound on a regex route's share while configuring (measured: ~260 bytes at N = 2·10⁴). */
const BYTES_PER_REGEX = 512;

function table(kind: 'path' | 'regex', n: number): object {
  return {
    routes: Array.from({ length: n }, (_, i) => kind === 'regex'
      ? { name: `r${i}`, path_regex: `^/legacy/v[0-9]+/item${i}$` }
      : { name: `r${i}`, path: `/legacy/v1/item${i}` }),
  };
}

describe('regex routes: configure memory', () => {
  test(`${N} regex routes cost at most ${BYTES_PER_REGEX} bytes each over the same routes with exact paths`, async () => {
    const paths = await startFilter(table('path', N));
    const regexes = await startFilter(table('regex', N));
    assert.equal(paths.configured, true, paths.startError);
    assert.equal(regexes.configured, true, regexes.startError);
    const extra = regexes.memoryPages() - paths.memoryPages();
    console.log(`# ${N} regex routes: ${regexes.memoryPages()} pages, exact paths ${paths.memoryPages()} pages (+${extra})`);
    // Before the regex memory work each regex cost ~15 KiB while configuring (5632 vs 544 pages here).
    // Compiled while the JSON was read, each still carried the parse tree it coexisted with:
    // ~1.4 KiB (704 vs 272 pages). Now they are compiled after the collection that frees the JSON
    // (config/native-regexes.ts), with collections between them: 352 vs 272 pages.
    assert.ok(extra * PAGE <= N * BYTES_PER_REGEX, `${extra} pages more for ${N} regexes`);
    // And they match afterwards.
    assert.equal(regexes.request({ method: 'GET', path: '/legacy/v7/item123' }).filterState['wasm.istio_operationId'], 'r123');
    paths.stop();
    regexes.stop();
  });

  test('the compiled instructions of one configuration are limited in total, with an error naming the route', async () => {
    // 4·10^6 instructions: 4·10^4 regexes at the default cap of 100 fit, one more does not.
    const route = (i: number) => ({ name: `r${i}`, path_regex: 'a{98}$' }); // 100 instructions
    const fits = await startFilter({ routes: Array.from({ length: 40000 }, (_, i) => route(i)) });
    assert.deepEqual(fits.logsAtLeast('error').map((l) => l.message), []);
    fits.stop();
    const over = await startFilter({ routes: Array.from({ length: 40001 }, (_, i) => route(i)) });
    const errors = over.logsAtLeast('error').map((l) => l.message);
    assert.ok(errors.includes('route-metrics: config error: routes[40000].path_regex: regex too large for this configuration: ' +
      "its 100 instructions would bring the configuration's regexes above 4000000 compiled instructions in total at column 1"),
    errors.join('\n'));
  });
});
