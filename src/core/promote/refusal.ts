/** Thrown when an operation will not run because it could lose work or surprise the user; nothing was changed. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}
