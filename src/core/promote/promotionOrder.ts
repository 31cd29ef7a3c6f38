/** The environment after `from` in the first promotion chain that has one, else undefined. */
export function nextEnvironment(chains: string[][], from: string): string | undefined {
  for (const chain of chains) {
    const i = chain.indexOf(from);
    if (i >= 0 && i + 1 < chain.length) return chain[i + 1];
  }
  return undefined;
}
