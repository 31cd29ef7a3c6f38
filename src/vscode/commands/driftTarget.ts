import type { ResourceKey } from '../../core/model/resource';
import type { TreeElement } from '../views/treeElements';

/**
 * What drift commands act on: an object in an environment, and optionally one field (JSON pointer). Quick fixes
 * pass this shape; tree items pass their element; both are accepted by {@link asDriftTarget}.
 */
export interface DriftTarget {
  env: string;
  key: ResourceKey;
  /** JSON pointer of the drifted field, when the command is about one field. */
  path?: string;
}

/** A DriftTarget from a command argument (tree element or DriftTarget), else undefined. */
export function asDriftTarget(arg: unknown): DriftTarget | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Partial<DriftTarget> & Partial<TreeElement>;
  if (typeof a.env !== 'string' || !a.key || typeof a.key.kind !== 'string') return undefined;
  return { env: a.env, key: a.key, ...(typeof a.path === 'string' ? { path: a.path } : {}) };
}

/** An environment name from a command argument (any tree element or a DriftTarget), else undefined. */
export function asEnvironmentName(arg: unknown): string | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const env = (arg as { env?: unknown }).env;
  return typeof env === 'string' ? env : undefined;
}
