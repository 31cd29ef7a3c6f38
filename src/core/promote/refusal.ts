/** Thrown when an operation will not run because it could lose work or surprise the user; nothing was changed. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }

  /**
   * Whether `e` is a refusal. By name rather than `instanceof`: the editor's command wrapper and the lazily loaded
   * commands are separate bundles, each with its own copy of this class.
   */
  static is(e: unknown): e is RefusedError {
    return e instanceof Error && e.name === 'RefusedError';
  }
}
