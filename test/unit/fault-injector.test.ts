import { FaultInjector } from '../../stand-ins/kit/faults';

test('a fault with a probability applies to that share of matching requests, drawn per request', () => {
  const draws = [0.1, 0.9, 0.19, 0.2, 0.5];
  const faults = new FaultInjector(() => draws.shift() ?? 1);
  faults.add({ method: 'PUT', pathPrefix: '/v2/', status: 429, probability: 0.2 });
  const applied = Array.from({ length: 5 }, () => faults.take('PUT', '/v2/objects/x/records')?.status ?? null);
  expect(applied).toEqual([429, null, 429, null, null]);
  // It stays until cleared, and never applies to requests it does not match.
  expect(faults.list()).toHaveLength(1);
  expect(new FaultInjector(() => 0).take('GET', '/v2/objects')).toBeUndefined();
});

test('a fault without a probability applies to every matching request, `count` times', () => {
  const faults = new FaultInjector(() => 0.99);
  faults.add({ status: 503, count: 2 });
  expect([1, 2, 3].map(() => faults.take('GET', '/anything')?.status ?? null)).toEqual([503, 503, null]);
});
