// The regex program-size cap through the real filter: a pattern that would make requests
// expensive is reported at configure time with its JSON path, its size and the limit; the limit
// is set by "regex_max_program_size" in both configuration forms. (Per-request work of the
// accepted worst cases is asserted by step counts in tests/unit/regex-bounds.spec.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFilter } from '../support/filter.ts';

const errorsOf = (host: Awaited<ReturnType<typeof startFilter>>) => host.logsAtLeast('error').map((l) => l.message);

function assertLogged(errors: string[], expected: string): void {
  assert.ok(errors.includes(expected), `missing log line: ${expected}\n got:\n${errors.join('\n')}`);
}

describe('regex program-size cap in configurations', () => {
  test('native form: a too-big path_regex or condition is reported with its JSON path, size and limit', async () => {
    const host = await startFilter({
      routes: [
        { name: 'users', path_regex: '^/users/[^/]+$' },
        { name: 'big', path_regex: 'a{1000}$' },
        { name: 'tenant', path: '/t', headers: [{ name: 'x-tenant', type: 'RegularExpression', value: '[ab]*a[ab]{999}$' }] },
      ],
    });
    const errors = errorsOf(host);
    assertLogged(errors, 'route-metrics: config error: routes[1].path_regex: regex too large: 1002 compiled instructions, ' +
      'above the limit of 100 (simplify the pattern or raise "regex_max_program_size") at column 1');
    assertLogged(errors, 'route-metrics: config error: routes[2].headers[0].value: regex too large: 1005 compiled instructions, ' +
      'above the limit of 100 (simplify the pattern or raise "regex_max_program_size") at column 1');
    // Whatever the acceptance policy, the oversized pattern never runs on a request.
    if (host.configured) {
      const r = host.request({ method: 'GET', path: '/' + 'a'.repeat(1000) });
      assert.notEqual(r.filterState['wasm.istio_operationId'], 'big');
      assert.equal(r.trapped, false);
    }
  });

  test('native form: regex_max_program_size raises the limit', async () => {
    const host = await startFilter({ regex_max_program_size: 1002, routes: [{ name: 'big', path_regex: 'a{1000}$' }] });
    assert.equal(host.configured, true, errorsOf(host).join('\n'));
    assert.deepEqual(errorsOf(host), []);
    assert.equal(host.request({ method: 'GET', path: '/' + 'a'.repeat(1000) }).filterState['wasm.istio_operationId'], 'big');
    assert.equal(host.request({ method: 'GET', path: '/' + 'a'.repeat(999) }).filterState['wasm.istio_operationId'], undefined);
  });

  test('native form: regex_max_program_size lowers the limit', async () => {
    const host = await startFilter({ regex_max_program_size: 10, routes: [{ name: 'users', path_regex: '^/users/[^/]+$' }] });
    assertLogged(errorsOf(host), 'route-metrics: config error: routes[0].path_regex: regex too large: 12 compiled instructions, ' +
      'above the limit of 10 (simplify the pattern or raise "regex_max_program_size") at column 1');
  });

  test('attributegen form: a too-big matches() pattern names its condition; the key works there too', async () => {
    const condition = "request.url_path.matches('.{1000}!')";
    const rejected = await startFilter({ attributes: [{ output_attribute: 'istio_operationId', match: [{ value: 'x', condition }] }] });
    const errors = errorsOf(rejected);
    assert.ok(errors.some((l) => l.startsWith('route-metrics: config error: attributes[0].match[0].condition: ') &&
      l.includes('regex too large: 1002 compiled instructions, above the limit of 100')), errors.join('\n'));
    const raised = await startFilter({ regex_max_program_size: 2000,
      attributes: [{ output_attribute: 'istio_operationId', match: [{ value: 'x', condition }] }] });
    assert.equal(raised.configured, true, errorsOf(raised).join('\n'));
    assert.equal(raised.request({ method: 'GET', path: '/' + 'a'.repeat(1000) + '!' }).filterState['wasm.istio_operationId'], 'x');
  });

  test('an invalid regex_max_program_size is an error naming the key', async () => {
    for (const [value, found] of [[0, '0'], [10001, '10001'], [2.5, '2.5'], ['100', 'a string']] as const) {
      const host = await startFilter({ regex_max_program_size: value, routes: [{ name: 'a', path: '/a' }] });
      assertLogged(errorsOf(host), 'route-metrics: config error: regex_max_program_size: must be a whole number of instructions ' +
        `from 1 to 10000 (default 100), found ${found}`);
    }
  });

  test('the limit of one configuration does not leak into the next', async () => {
    const host = await startFilter({ regex_max_program_size: 1002, routes: [{ name: 'big', path_regex: 'a{1000}$' }] });
    assert.equal(host.configured, true);
    host.reconfigure({ routes: [{ name: 'big', path_regex: 'a{1000}$' }] });
    assert.ok(errorsOf(host).some((l) => l.includes('routes[0].path_regex: regex too large: 1002 compiled instructions, above the limit of 100')),
      errorsOf(host).join('\n'));
  });
});
