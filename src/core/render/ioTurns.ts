/**
 * Turns for pending I/O during long CPU-bound work (renders). Node runs I/O callbacks only between tasks, so a
 * render that never waits (texts cached, or read with blocking calls) would hold back whatever arrived meanwhile:
 * a TLS handshake, API discovery, the replies to an environment's LISTs.
 */

/** Resolves once the I/O callbacks already due have run (setImmediate's place in node's event loop). */
export function afterPendingIo(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}

/**
 * Gives pending I/O a turn whenever the work since the last one has run for `everyMs`. Right before each piece of
 * work, `while (turns.due) await turns.take();`: the check must come after the await, with no other await between
 * it and the work, or every queued continuation would pass its check before any of them works.
 */
export class IoTurns {
  private last: number;
  private turn: Promise<void> | undefined;

  /** `now`: the clock, in milliseconds (tests pass their own). */
  constructor(
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** Whether pending I/O is owed a turn. */
  get due(): boolean {
    return this.now() - this.last >= this.everyMs;
  }

  /** The next turn; callers waiting at the same time share it. */
  take(): Promise<void> {
    return (this.turn ??= afterPendingIo().then(() => {
      this.turn = undefined;
      this.last = this.now();
    }));
  }
}
