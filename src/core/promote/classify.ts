import { GlobSet } from '../glob';
import type { PromotePolicy } from '../repo/config';
import { stageRank } from '../repo/promotion';

/**
 * What a difference between two environments is. Artifacts (images) and a release's config move through the stages;
 * an environment's identity does not: its name, URLs and hosts that differ in every stage, its size (replicas,
 * resources) and its credentials.
 */
export type ValueClass =
  | 'artifact'
  | 'release'
  | 'environmentName'
  | 'perEnvironment'
  | 'replicas'
  | 'resources'
  | 'secret'
  | 'targetOverride'
  | 'differs'
  | 'configured';

/** Whether a value moves by default, and why, in words a picker can show. */
export interface Classification {
  class: ValueClass;
  moves: boolean;
  reason: string;
}

/** One difference, as the classifier sees it. */
export interface DifferenceFacts {
  /** `web: containers[web].env[LOG_LEVEL]`: what `promote.move`/`promote.keep` globs match. */
  label: string;
  /** JSON pointer into the rendered object. */
  pointer: string;
  objectKind: string;
  isImage: boolean;
  /** The env var's name when the value is one (`containers[web].env[DB_PASSWORD]`), or the ConfigMap key. */
  keyName?: string;
  source: { env: string; value: unknown };
  target: { env: string; value: unknown };
  /** The value in every other environment that renders the object (including those above), by environment. */
  elsewhere: ReadonlyMap<string, unknown>;
  /** Environments of the stages before the target (the source among them), in promotion order. */
  earlierStages: readonly string[];
  /**
   * The target sets the value in a file of its own while the source takes it from a file the target reads too (a
   * shared base): the target overrides it on purpose (its title, a pinned flag).
   */
  targetOverrides?: boolean;
}

/** Names of env vars and keys that hold credentials: their values are neither promoted by default nor shown. */
export const CREDENTIAL = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const URL_OR_HOST = /^([a-z][a-z0-9+.-]*:\/\/)?([a-z0-9-]+\.)+[a-z]{2,}(:\d+)?([/?#].*)?$/i;

/** The policy of one repo, compiled once. */
export class Classifier {
  private readonly move: GlobSet;
  private readonly keep: GlobSet;

  constructor(policy: PromotePolicy = { move: [], keep: [] }) {
    this.move = new GlobSet(policy.move);
    this.keep = new GlobSet(policy.keep);
  }

  classify(d: DifferenceFacts): Classification {
    if (this.keep.matches(d.label))
      return {
        class: 'configured',
        moves: false,
        reason: 'kept per environment by promote.keep in .gitops-drift.yaml',
      };
    if (this.move.matches(d.label))
      return { class: 'configured', moves: true, reason: 'moves by promote.move in .gitops-drift.yaml' };
    return builtIn(d);
  }
}

function builtIn(d: DifferenceFacts): Classification {
  if (d.isImage) return { class: 'artifact', moves: true, reason: 'an artifact: moves through the stages' };
  if (
    d.objectKind === 'Secret' ||
    /\/valueFrom\/secretKeyRef\//.test(d.pointer) ||
    (d.keyName && CREDENTIAL.test(d.keyName))
  ) {
    return { class: 'secret', moves: false, reason: 'a credential: left out' };
  }
  if (namesEnvironment(d.source.value, d.source.env) || namesEnvironment(d.target.value, d.target.env)) {
    return { class: 'environmentName', moves: false, reason: 'names the environment: left out' };
  }
  if (/\/replicas$/.test(d.pointer))
    return { class: 'replicas', moves: false, reason: 'a replica count: sized per environment, left out' };
  if (/\/resources\/(limits|requests)\//.test(d.pointer))
    return { class: 'resources', moves: false, reason: 'a resource size: sized per environment, left out' };
  const values = [...d.elsewhere.values()].map((v) => JSON.stringify(v));
  if (values.length >= 3 && new Set(values).size === values.length) {
    return {
      class: 'perEnvironment',
      moves: false,
      reason: `differs in every environment${isUrlOrHost(d.target.value) ? ' (a URL or host)' : ''}: left out`,
    };
  }
  if (d.targetOverrides)
    return {
      class: 'targetOverride',
      moves: false,
      reason: `${d.target.env} sets its own value, ${d.source.env} takes the shared one: left out`,
    };
  const earlier = d.earlierStages.filter((e) => d.elsewhere.has(e));
  const same = earlier.every((e) => JSON.stringify(d.elsewhere.get(e)) === JSON.stringify(d.source.value));
  if (same)
    return {
      class: 'release',
      moves: true,
      reason: `the same in ${earlier.join(', ') || d.source.env}: a release's config, moves`,
    };
  const differing = earlier.filter((e) => JSON.stringify(d.elsewhere.get(e)) !== JSON.stringify(d.source.value));
  return {
    class: 'differs',
    moves: false,
    reason: `differs between the earlier stages (${[d.source.env, ...differing].join(', ')}): left out`,
  };
}

function isUrlOrHost(v: unknown): boolean {
  return typeof v === 'string' && URL_OR_HOST.test(v);
}

/**
 * Whether a value names its environment: the whole name (`staging-eu`), or the environment's stage word as part of
 * a word (`production` in prod-eu), or its other name tokens (the region) as whole words.
 */
export function namesEnvironment(value: unknown, env: string): boolean {
  if (typeof value !== 'string' || !value) return false;
  const text = value.toLowerCase();
  const name = env.toLowerCase();
  if (text.includes(name)) return true;
  const words = text.split(/[^a-z0-9]+/).filter(Boolean);
  for (const token of name.split(/[^a-z0-9]+/).filter(Boolean)) {
    if (
      stageRank(token) !== undefined
        ? words.some((w) => w.startsWith(token) && stageRank(w) === stageRank(token))
        : token.length > 1 && words.includes(token)
    )
      return true;
  }
  return false;
}
