/**
 * A Secret of the repo's render read as its controller reads it: `data` decoded from base64, with `stringData` over it
 * (the API server merges `stringData` over `data` on write), and whether SOPS encrypted it (then its values are
 * ciphertext, never credentials).
 */

// Any object: a KubeObject or a parsed document (Secret fields are read only when present).
type SecretLike = object & { data?: unknown; stringData?: unknown; sops?: unknown };

/** Each key's value as text; a `data` value that is not base64 is left out (the API server refuses it). */
export function secretStrings(secret: SecretLike): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(rec(secret.data))) {
    if (typeof value !== 'string') continue;
    try {
      out.set(key, new TextDecoder().decode(Uint8Array.from(atob(value.replace(/\s+/g, '')), (c) => c.charCodeAt(0))));
    } catch {
      // not base64: not a value the cluster could hold
    }
  }
  for (const [key, value] of Object.entries(rec(secret.stringData))) if (typeof value === 'string') out.set(key, value);
  return out;
}

/** A SOPS-encrypted Secret: a `sops:` block, or a value written as `ENC[…]` (SOPS encrypts values in place). */
export function isSopsEncrypted(secret: SecretLike): boolean {
  if (secret.sops !== undefined) return true;
  return [...Object.values(rec(secret.data)), ...Object.values(rec(secret.stringData))].some(
    (v) => typeof v === 'string' && v.startsWith('ENC['),
  );
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
