/** `plaintext-secret`: a Secret manifest in git with its values in `data`/`stringData`. */
import { isMap, isScalar, type Node } from 'yaml';
import type { YamlFile } from '../../yaml/yamlText';
import type { LintFinding } from '../finding';
import { nodeRange } from '../lintFiles';

/** Cheap test on the raw text, so the repo's other YAML files are never parsed. */
const MENTIONS_SECRET = /kind["']?\s*:\s*["']?Secret\b/;

/** Whether the text may hold a Secret manifest (false means it certainly does not). */
export function mayHoldSecret(text: string): boolean {
  return MENTIONS_SECRET.test(text);
}

/**
 * Values that point into a secret store instead of holding the secret: 1Password (`op://vault/item/field`),
 * Bank-Vaults (`vault:secret/data/db#password`), vals (`ref+vault://…`, `ref+awssecrets://…`, any `ref+backend://`),
 * argocd-vault-plugin (`<path:secret/data/db#password>`) and SOPS-encrypted values (`ENC[AES256_GCM,…]`).
 */
const STORE_REFERENCE = /^\s*(?:op:\/\/\S|vault:\S|ref\+[a-z0-9]+:\/\/\S|<path:[^>]+>\s*$|ENC\[[^\]]*\]\s*$)/;

/** Whether a `data` (base64) or `stringData` value is a secret-store reference rather than a secret. */
function isStoreReference(node: unknown, base64: boolean): boolean {
  if (!isScalar(node) || typeof node.value !== 'string') return false;
  if (STORE_REFERENCE.test(node.value)) return true;
  return (
    base64 &&
    /^[A-Za-z0-9+/\s]+=*\s*$/.test(node.value) &&
    STORE_REFERENCE.test(Buffer.from(node.value, 'base64').toString('utf8'))
  );
}

/**
 * A finding on each `data`/`stringData` field of every `kind: Secret` document that holds a value other than a
 * secret-store reference (isStoreReference). SOPS-encrypted files (a top-level `sops:` key) are skipped; so are
 * SealedSecrets and ExternalSecrets (other kinds). Values never appear in the message.
 */
export function plaintextSecrets(yaml: YamlFile): LintFinding[] {
  const roots = yaml.docs.flatMap((d) => (isMap(d.contents) ? [d.contents] : []));
  if (roots.some((r) => r.has('sops'))) return [];
  const out: LintFinding[] = [];
  for (const root of roots) {
    if ((root.get('kind') as unknown) !== 'Secret') continue;
    const meta = root.get('metadata');
    const label = `Secret '${String((isMap(meta) ? meta.get('name') : undefined) ?? '')}'`;
    for (const field of ['data', 'stringData']) {
      const pair = root.items.find((p) => isScalar(p.key) && p.key.value === field);
      if (!pair || !isMap(pair.value)) continue;
      const keys = pair.value.items.filter((p) => !isStoreReference(p.value, field === 'data')).length;
      if (keys === 0) continue;
      out.push({
        code: 'plaintext-secret',
        severity: 'warning',
        message: `${label} keeps ${keys} value${keys === 1 ? '' : 's'} in ${field}${field === 'data' ? ' (base64 is an encoding, not encryption)' : ''}: anyone who can read the repo can read ${keys === 1 ? 'it' : 'them'}; encrypt the file with SOPS, or use Sealed Secrets or External Secrets`,
        range: nodeRange(yaml, pair.key as Node),
      });
    }
  }
  return out;
}
