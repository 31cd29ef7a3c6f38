/**
 * src/vscode/afterRendersDrawn.ts: on a first load of several environments, the lint, the code caches' writes and the
 * saved tree's digests wait until the view has drawn the renders; otherwise they start at once.
 */
import assert from 'node:assert/strict';
import { AFTER_RENDERS_QUIET_MS, afterRendersDrawn } from '../../../src/vscode/afterRendersDrawn';

/** A whenTreeDrawn the test resolves by hand, counting the calls. */
function drawnByHand() {
  let draw = (): void => undefined;
  const drawn = new Promise<void>((resolve) => (draw = resolve));
  const calls = { n: 0, quietMs: [] as (number | undefined)[] };
  return {
    whenTreeDrawn: (quietMs?: number) => {
      calls.n++;
      calls.quietMs.push(quietMs);
      return drawn;
    },
    draw: () => draw(),
    calls,
  };
}

/** Whether `p` has settled after the pending microtasks ran. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('afterRendersDrawn: when the work after the renders starts', () => {
  it('waits on a first load of several environments until the tree is drawn', async () => {
    const view = drawnByHand();
    const after = afterRendersDrawn({ firstLoad: true, drawnAlready: false, whenTreeDrawn: view.whenTreeDrawn });
    assert.equal(await settled(after), false, 'not before the view has drawn the rows');
    assert.deepEqual(view.calls.quietMs, [AFTER_RENDERS_QUIET_MS], 'once, with the shorter quiet time');
    view.draw();
    assert.equal(await settled(after), true);
  });

  it('starts at once on later refreshes, after a single environment drawn before its check, and without a view', async () => {
    const view = drawnByHand();
    for (const options of [
      { firstLoad: false, drawnAlready: false, whenTreeDrawn: view.whenTreeDrawn },
      { firstLoad: true, drawnAlready: true, whenTreeDrawn: view.whenTreeDrawn },
      { firstLoad: true, drawnAlready: false, whenTreeDrawn: undefined },
    ])
      assert.equal(await settled(afterRendersDrawn(options)), true, JSON.stringify(options));
    assert.equal(view.calls.n, 0, 'the view is not waited on');
  });

  it('a wait that fails lets the work start', async () => {
    const after = afterRendersDrawn({
      firstLoad: true,
      drawnAlready: false,
      whenTreeDrawn: () => Promise.reject(new Error('view disposed')),
    });
    assert.equal(await settled(after), true);
  });
});
