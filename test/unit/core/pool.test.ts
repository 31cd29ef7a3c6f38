import assert from 'node:assert/strict';
import { mapWithConcurrency } from '../../../src/core/pool';

describe('concurrency pool (src/core/pool.ts)', () => {
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('keeps input order and never has more than `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n, i) => {
      most = Math.max(most, ++inFlight);
      for (let t = 0; t < n; t++) await tick();
      inFlight--;
      return `${i}:${n}`;
    });
    assert.deepEqual(out, ['0:5', '1:1', '2:4', '3:2', '4:3']);
    assert.equal(most, 2);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await assert.rejects(
      mapWithConcurrency([0, 1, 2, 3, 4], 1, async (n) => {
        started.push(n);
        if (n === 1) throw new Error('boom');
        return n;
      }),
      /boom/,
    );
    await tick();
    assert.deepEqual(started, [0, 1]);
  });

  it('runs with a limit of 0 as with 1, and returns [] for no items', async () => {
    assert.deepEqual(await mapWithConcurrency([1, 2], 0, async (n) => n * 2), [2, 4]);
    assert.deepEqual(await mapWithConcurrency([], 4, async () => 1), []);
  });
});
