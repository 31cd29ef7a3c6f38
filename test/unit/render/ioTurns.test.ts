import { strict as assert } from 'node:assert';
import { IoTurns } from '../../../src/core/render/ioTurns';

describe('IoTurns (pending I/O gets a turn during a long render)', () => {
  it('is due once everyMs have passed since the last turn, and not again until everyMs after it', async () => {
    let t = 100;
    const turns = new IoTurns(10, () => t);
    assert.equal(turns.due, false);
    t = 109;
    assert.equal(turns.due, false);
    t = 110;
    assert.equal(turns.due, true);
    await turns.take();
    assert.equal(turns.due, false);
    t = 120;
    assert.equal(turns.due, true);
  });

  it('runs the I/O callbacks already queued before the work resumes; callers due together share one turn', async () => {
    let t = 0;
    const turns = new IoTurns(10, () => t);
    t = 10;
    const order: string[] = [];
    setImmediate(() => order.push('io'));
    const first = turns.take();
    assert.equal(turns.take(), first);
    await first;
    order.push('work');
    assert.deepEqual(order, ['io', 'work']);
  });
});
