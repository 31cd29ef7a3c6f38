import type { Origin } from '../model/location';
import type { ResourceKey } from '../model/resource';
import type { TextEdit } from '../yaml/yamlText';
import type { Classification } from './classify';
import type { Direction } from './versionOrder';

/** What a promotable difference is: images move by default, generator literals too, other values only when picked. */
export type PromotableKind = 'image' | 'generatorLiteral' | 'value';

/** One difference between two environments that can be moved from source to target by editing the target's files. */
export interface PromotableItem {
  /** Stable within a plan: `kind:file@offset:hash` (the hash of the edits, never their text). */
  id: string;
  kind: PromotableKind;
  /** One line for a list: `image ghcr.io/acme/web 1.4.0 → 1.5.0 (sha256:…)`, `web: replicas: 3 → 1`. */
  label: string;
  /** The object and field as people read them: `web: containers[web].env[LOG_LEVEL]`. */
  where: string;
  /** Target objects whose rendered value changes (one images entry can feed several Deployments). */
  resources: ResourceKey[];
  /** JSON pointer into the (first) target object. */
  path: string;
  /** The same place with list items by name (`/spec/template/spec/containers/[web]/env/[LOG_LEVEL]/value`): a patch may reorder a list. */
  logicalPath: string;
  sourceValue: unknown;
  targetValue: unknown;
  /** Where the source environment sets the value. */
  sourceOrigin?: Origin;
  /** Where the target environment sets it: the place that gets edited. */
  targetOrigin: Origin;
  edits: TextEdit[];
  /** Whether it moves with a release by default, and why (`differs in every environment: left out`). */
  classification: Classification;
  /** For an image whose versions can be ordered: which way the target moves. */
  direction?: Direction;
  /** Other environments whose render the edits change too (they read an edited file). */
  alsoChanges: string[];
  /** What a release manager must see: `⚠ downgrade 3.0 → 2.0`, `⚠ sha256:… never ran in dev`, `also changes …`. */
  warnings: string[];
  /**
   * Preselected in a picker, and promoted by the CLI unless narrowed: it moves by its classification, is no
   * downgrade, and changes no environment but the target.
   */
  defaultSelected: boolean;
}

/** A difference that cannot be promoted by editing one value in place, and why. */
export interface SkippedDifference {
  resource: ResourceKey;
  path: string;
  /** `web: containers[web].env[DB_PASSWORD]`. */
  where: string;
  reason: string;
}

/** What promoting `source` into `target` would change. */
export interface PromotionPlan {
  source: string;
  target: string;
  items: PromotableItem[];
  skipped: SkippedDifference[];
  /** The target, and every other environment whose render some item's edits change. */
  environmentsTouched: string[];
}

/** One file's content before and after a set of edits, with a unified diff. */
export interface FileChange {
  file: string;
  before: string;
  after: string;
  /** `diff -u` style, `a/` and `b/` prefixes; Secret values (generator literals, Secret data) masked as `***`. */
  patch: string;
}
