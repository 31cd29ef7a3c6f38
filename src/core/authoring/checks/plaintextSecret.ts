/** `plaintext-secret`: a Secret manifest in git with its values in `data`/`stringData`. */
import { isMap, isScalar, type Node } from 'yaml';
import type { YamlFile } from '../../promote/yamlText';
import type { LintFinding } from '../finding';
import { nodeRange } from '../lintFiles';

/** Cheap test on the raw text, so the repo's other YAML files are never parsed. */
const MENTIONS_SECRET = /kind["']?\s*:\s*["']?Secret\b/;

/** Whether the text may hold a Secret manifest (false means it certainly does not). */
export function mayHoldSecret(text: string): boolean {
  return MENTIONS_SECRET.test(text);
}

/**
 * A finding on each non-empty `data`/`stringData` key of every `kind: Secret` document. SOPS-encrypted files (a
 * top-level `sops:` key) are skipped; so are SealedSecrets (another kind). Values never appear in the message.
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
      if (!pair || !isMap(pair.value) || pair.value.items.length === 0) continue;
      const keys = pair.value.items.length;
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
