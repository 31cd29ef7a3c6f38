/**
 * What the chart adapters (Helm and OCI repositories, Flux Buckets) share: a failure thrown inside an adapter and
 * turned into its ChartFetchFailure at the adapter's edge, and a response body read up to a limit.
 */
import type { ChartFetchFailure } from '../core/ports';
import { plainText } from '../core/model/untrustedText';

export class ChartFetchError extends Error {
  constructor(readonly failure: ChartFetchFailure) {
    super(failure.message);
  }
}

export const failFetch = (reason: ChartFetchFailure['reason'], message: string): never => {
  throw new ChartFetchError({ ok: false, reason, message });
};

/** Reads a response body up to `limit` bytes; beyond it, or when the length says so, fails with `tooLarge`. */
export async function readLimitedBody(
  response: Response,
  limit: number,
  shown: string,
  tooLarge: string,
): Promise<Uint8Array> {
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > limit) {
    await response.body?.cancel();
    failFetch('invalid', tooLarge);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (e) {
      return failFetch('unreachable', `cannot read ${shown}: ${plainText((e as Error).message)}`);
    }
    if (next.done) break;
    total += next.value.length;
    if (total > limit) {
      await reader.cancel();
      failFetch('invalid', tooLarge);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks);
}
