// Simulated Envoy host: custom metrics (define / increment / record / get).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { event, messages, startFixture } from '../fixtures/host-fixtures.ts';

const OK = 0;
const NOT_FOUND = 1;
const BAD_ARGUMENT = 2;

describe('host: metrics', async () => {
  const host = await startFixture('host-metrics.wat');
  const start = messages(host.logs);
  const r = host.request({});
  const logs = messages(r.logs);

  test('every define_metric returns a new id with the type in the low 2 bits', () => {
    assert.deepEqual(event(start, 'define.counter'), [OK, 4]);
    assert.deepEqual(event(start, 'define.counter_again'), [OK, 8]);
    assert.deepEqual(event(start, 'define.gauge'), [OK, 5]);
    assert.deepEqual(event(start, 'define.histogram'), [OK, 6]);
  });

  test('a metric type above 2 is BadArgument', () => {
    assert.deepEqual(event(start, 'define.bad_type'), [BAD_ARGUMENT, 0]);
  });

  test('counter: increment > 0 adds (ids of one name share the stat); 0 or negative → BadArgument; record adds', () => {
    assert.deepEqual(event(logs, 'incr.counter'), [OK]);
    assert.deepEqual(event(logs, 'incr.counter_other_id'), [OK]);
    assert.deepEqual(event(logs, 'incr.counter_zero'), [BAD_ARGUMENT]);
    assert.deepEqual(event(logs, 'incr.counter_negative'), [BAD_ARGUMENT]);
    assert.deepEqual(event(logs, 'record.counter'), [OK]);
    assert.deepEqual(event(logs, 'get.counter'), [OK, 13]);
    assert.equal(host.counter('hits'), 13n);
  });

  test('histogram: increment → BadArgument, record → sample, get → BadArgument', () => {
    assert.deepEqual(event(logs, 'incr.histogram'), [BAD_ARGUMENT]);
    assert.deepEqual(event(logs, 'record.histogram'), [OK]);
    assert.deepEqual(event(logs, 'get.histogram'), [BAD_ARGUMENT]);
    assert.deepEqual(host.histogram('latency'), [42]);
  });

  test('gauge: record sets, increment adds a negative offset', () => {
    assert.deepEqual(event(logs, 'record.gauge'), [OK]);
    assert.deepEqual(event(logs, 'incr.gauge_negative'), [OK]);
    assert.deepEqual(event(logs, 'get.gauge'), [OK, 5]);
    assert.equal(host.gauge('level'), 5n);
  });

  test('unknown ids → NotFound', () => {
    assert.deepEqual(event(logs, 'incr.unknown_id'), [NOT_FOUND]);
    assert.deepEqual(event(logs, 'record.type3_id'), [NOT_FOUND]);
  });

  test('host.metrics lists each id with the shared stat', () => {
    assert.deepEqual(
      host.metrics.map((m) => [m.id, m.type, m.name, m.value]),
      [[4, 'counter', 'hits', 13n], [8, 'counter', 'hits', 13n], [5, 'gauge', 'level', 5n], [6, 'histogram', 'latency', 0n]],
    );
    assert.equal(host.counter('nope'), undefined);
    assert.equal(r.hostCalls.proxy_increment_metric, 7);
    assert.equal(host.hostCallCounts.proxy_define_metric, 5);
  });
});
