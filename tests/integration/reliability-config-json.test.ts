// Bad input in the configuration is refused, never silently changed (issue 11 §4): invalid UTF-8
// in a string, a lone surrogate escape, a repeated key. Through the release .wasm: each case logs
// one error line naming its JSON path, never traps, and what is used of the configuration keeps
// working — the bad value is never written, merged with another route or exported as a label.
//
// Whether a configuration with errors is used without its faulty parts or rejected is the
// acceptance policy's decision (config/index.ts): both outcomes are checked here, the one that
// applies is asserted in full.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startFilter } from '../support/filter.ts';
import type { SimulatedEnvoy } from '../../host/index.ts';

const OP = 'wasm.istio_operationId';
const utf8 = new TextEncoder();

/** The configuration bytes: `%ff` in the text stands for the raw byte 0xff. */
function bytes(text: string): Uint8Array {
  const parts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      parts.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      parts.push(...utf8.encode(text[i]!));
    }
  }
  return Uint8Array.from(parts);
}

function configErrors(host: SimulatedEnvoy): string[] {
  return host.logsAtLeast('error').map((l) => l.message).filter((m) => m.includes('config error: '))
    .map((m) => m.slice(m.indexOf('config error: ') + 'config error: '.length));
}

/** Requests → the value written (undefined: none); checks no stream trapped. */
async function classify(host: SimulatedEnvoy, requests: Array<[string, string]>): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
  for (const [method, path] of requests) {
    const r = await host.request({ method, path, status: 200, durationMs: 1 });
    assert.equal(r.trapped, false);
    out.push(r.filterState[OP]);
  }
  return out;
}

/** 1-based byte column of the first `marker` in a one-line configuration text. */
function column(text: string, marker: string): number {
  return bytes(text.slice(0, text.indexOf(marker))).length + 1;
}

interface Case {
  name: string;
  config: Uint8Array;
  errors: string[];
  /** Requests and what a configuration used without its faulty part writes for them. */
  requests: Array<[string, string, string | undefined]>;
}

const cases: Case[] = [
  ((text) => ({
    name: 'invalid UTF-8 in a route name does not merge it with route "a"',
    config: bytes(text),
    errors: [`routes[1].name: invalid UTF-8 (byte 0xff) at column ${column(text, '%ff')}`],
    requests: [['GET', '/a', 'a'], ['GET', '/b', undefined]],
  }))('{"routes":[{"name":"a","path":"/a"},{"name":"a%ff","path":"/b"}]}'),
  ((text) => ({
    name: 'invalid UTF-8 in a regex does not compile as its valid prefix',
    config: bytes(text),
    // The pattern as read (U+FFFD for the bad bytes) also has an unclosed group.
    errors: [`routes[1].path_regex: invalid UTF-8 (byte 0xff) at column ${column(text, '%ff')}`,
      "routes[1].path_regex: missing closing ): unmatched '(' at column 10"],
    requests: [['GET', '/api/x', 'api'], ['GET', '/a', undefined], ['GET', '/abc', undefined]],
  }))('{"routes":[{"name":"api","path_prefix":"/api/"},{"name":"r","path_regex":"^/a%ff%c3("}]}'),
  ((text) => ({
    name: 'an overlong encoding in an exact path',
    config: bytes(text),
    errors: [`routes[1].path: invalid UTF-8 (byte 0xc0) at column ${column(text, '%c0')}`],
    requests: [['GET', '/ok', 'ok'], ['GET', '/x/', undefined]],
  }))('{"routes":[{"name":"ok","path":"/ok"},{"name":"slash","path":"/x%c0%af"}]}'),
  ((text) => ({
    name: 'an encoded surrogate in a header value',
    config: bytes(text),
    errors: [`routes[1].headers[0].value: invalid UTF-8 (byte 0xed) at column ${column(text, '%ed')}`],
    requests: [['GET', '/ok', 'ok'], ['GET', '/h', undefined]],
  }))('{"routes":[{"name":"ok","path":"/ok"},{"name":"h","path":"/h","headers":[{"name":"x","value":"%ed%a0%80"}]}]}'),
  ((text) => ({
    name: 'a lone surrogate escape in a route name never reaches filter state or metric names',
    config: bytes(text),
    errors: [`routes[0].name: lone surrogate \\ud800 (not followed by a low surrogate \\udc00-\\udfff) at column ${column(text, '\\ud800')}`],
    requests: [['GET', '/a', undefined], ['GET', '/b', 'b']],
  }))('{"routes":[{"name":"a\\ud800","path":"/a"},{"name":"b","path":"/b"}]}'),
  ((text) => ({
    name: 'a lone low surrogate escape',
    config: bytes(text),
    errors: [`routes[0].name: lone surrogate \\udc00 (not preceded by a high surrogate \\ud800-\\udbff) at column ${column(text, '\\udc00')}`],
    requests: [['GET', '/a', undefined], ['GET', '/b', 'b']],
  }))('{"routes":[{"name":"\\udc00x","path":"/a"},{"name":"b","path":"/b"}]}'),
  ((text) => ({
    name: 'a repeated key in a route',
    config: bytes(text),
    errors: [`routes[2].name: duplicate key "name" (first at column ${column(text, '"name":"c"')})`],
    requests: [['GET', '/a', 'a'], ['GET', '/b', 'b'], ['GET', '/c', undefined]],
  }))('{"routes":[{"name":"a","path":"/a"},{"name":"b","path":"/b"},{"name":"c","path":"/c","name":"d"}]}'),
  ((text) => ({
    name: 'a repeated top-level "routes": the first one is the one used',
    config: bytes(text),
    errors: ['routes: duplicate key "routes" (first at column 2)'],
    requests: [['GET', '/a', 'a'], ['GET', '/b', undefined]],
  }))('{"routes":[{"name":"a","path":"/a"}],"routes":[{"name":"b","path":"/b"}]}'),
  ((text) => ({
    name: 'a lone surrogate in an attributegen condition',
    config: bytes(text),
    errors: ['attributes[0].match[0].condition: lone surrogate \\ud800 (not followed by a low surrogate \\udc00-\\udfff) ' +
      `at column ${column(text, '\\ud800')}`],
    requests: [['GET', '/y', 'y'], ['GET', '/x', undefined]],
  }))('{"attributes":[{"output_attribute":"istio_operationId","match":[' +
    '{"value":"x","condition":"request.url_path == \'/x\\ud800\'"},{"value":"y","condition":"request.url_path == \'/y\'"}]}]}'),
];

describe('bad input in the configuration is refused with its JSON path', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const host = await startFilter(c.config);
      assert.deepEqual(configErrors(host), c.errors);
      if (!host.configured) {
        // Rejected as a whole: Envoy keeps the previous configuration.
        assert.ok(host.logsAtLeast('error').some((l) => l.message.includes('configuration rejected')), host.startError);
        return;
      }
      // Used without the faulty part: the rest classifies as configured.
      const got = await classify(host, c.requests.map(([m, p]) => [m, p]));
      assert.deepEqual(got, c.requests.map((r) => r[2]));
      const scrape = host.prometheus();
      assert.ok(!scrape.includes('\uFFFD'), 'no replacement character in metric names');
    });
  }

  test('the same configuration with the bad bytes fixed is accepted and used in full', async () => {
    const host = await startFilter(bytes('{"routes":[{"name":"a","path":"/a"},{"name":"a\\u00ff","path":"/b"}]}'));
    assert.equal(host.configured, true, host.startError);
    assert.deepEqual(configErrors(host), []);
    assert.deepEqual(await classify(host, [['GET', '/a'], ['GET', '/b']]), ['a', 'aÿ']);
  });

  test('thousands of repeated keys in one object are found without trapping, and refused past a bound', async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}`).join(',');
    const host = await startFilter(bytes(`{"routes":[{"name":"a","path":"/a"}],"extra":{${keys},"k4999":0}}`));
    assert.ok(configErrors(host).includes('extra.k4999: duplicate key "k4999" (first at column ' +
      (`{"routes":[{"name":"a","path":"/a"}],"extra":{${keys}`.indexOf('"k4999"') + 1) + ')'), configErrors(host).join('\n'));
    const flood = await startFilter(bytes('{"routes":[{"name":"a","path":"/a"}],"x":{' + '"a":1,'.repeat(2000) + '"b":1}}'));
    const errors = configErrors(flood);
    assert.equal(errors.length, 1, errors.slice(0, 3).join('\n'));
    assert.match(errors[0]!, /more than 1000 invalid strings and duplicate keys \(the first: x\.a: duplicate key "a"\)/);
  });
});
