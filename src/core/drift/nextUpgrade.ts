/**
 * Issue #16, question 3: what the next upgrade will change. Git's render of the chart against the deployed
 * revision's manifest, object by object (paired by resource key), with the paths of the fields that differ. Only
 * keys and paths leave here: a Secret's values (or any value) are never part of the answer.
 */
import type { NextUpgradeChange } from '../model/drift';
import { keyLabel, keyString } from '../model/resource';
import { plainText } from '../model/untrustedText';
import type { RenderedObject } from '../render/types';

const MAX_PATHS = 20;

/** Objects the next upgrade creates, deletes or updates, in git's render order (then the deleted ones). */
export function nextUpgradeChanges(
  git: readonly RenderedObject[],
  deployed: readonly RenderedObject[],
): NextUpgradeChange[] {
  const out: NextUpgradeChange[] = [];
  const before = new Map(deployed.map((o) => [keyString(o.key), o]));
  const seen = new Set<string>();
  for (const o of git) {
    const id = keyString(o.key);
    seen.add(id);
    const old = before.get(id);
    const template = o.template ? { template: o.template } : {};
    if (!old) {
      out.push({ key: o.key, change: 'create', ...template });
      continue;
    }
    const paths: string[] = [];
    differingPaths(old.object, o.object, '', paths);
    if (paths.length) out.push({ key: o.key, change: 'update', ...template, paths: paths.slice(0, MAX_PATHS) });
  }
  for (const o of deployed) {
    if (seen.has(keyString(o.key))) continue;
    out.push({ key: o.key, change: 'delete', ...(o.template ? { template: o.template } : {}) });
  }
  return out;
}

/** JSON pointers where `a` and `b` differ: maps key by key, lists and scalars whole. Stops past MAX_PATHS. */
function differingPaths(a: unknown, b: unknown, at: string, out: string[]): void {
  if (out.length > MAX_PATHS) return;
  // helm-controller's own labels (its post-renderer adds them to what it installs): no chart render has them.
  if (at.startsWith('/metadata/labels/helm.toolkit.fluxcd.io~1')) return;
  // A labels map on one side only (a release helm-controller did not install) is compared key by key, so that
  // helm-controller's labels alone make no change.
  if (at === '/metadata/labels' && (isMap(a) || isMap(b)) && (a === undefined || b === undefined)) {
    a ??= {};
    b ??= {};
  }
  if (isMap(a) && isMap(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      differingPaths(a[k], b[k], `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(at);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** One change as a line: `update Deployment web/web (web/templates/deployment.yaml): /spec/replicas`. */
export function describeNextUpgradeChange(c: NextUpgradeChange): string {
  const template = c.template ? ` (${plainText(c.template)})` : '';
  const paths = c.paths?.length ? `: ${c.paths.map((path) => plainText(path)).join(', ')}` : '';
  return `${c.change} ${keyLabel(c.key)}${template}${paths}`;
}
