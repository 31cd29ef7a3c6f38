import type { FieldDrift } from '../model/drift';
import { formatLocation } from '../model/location';
import { keyLabel, type ResourceKey } from '../model/resource';
import { applyEdits } from './applyEdits';
import { RefusedError } from './refusal';
import type { FileChange } from './types';
import { planValueEdit } from './valueEdit';
import { parseYamlFile } from '../yaml/yamlText';

/** What adopting a live value would change in git. */
export interface AdoptPlan {
  change: FileChange;
  /** Other environments that read the edited file and would change too (the caller names them). */
  alsoChanges: string[];
  /** `Deployment shop/web /spec/replicas: 2 → 5 at envs/prod/web-patch.yaml:6:3`. */
  label: string;
}

/**
 * Plans writing a drifted field's live value into the line in git that sets it (its origin), changing nothing else
 * in the file. Refuses Secret values (they would land in git in plain text), removals and additions (only a value
 * that git sets and the cluster holds can be adopted in place), and non-scalar values.
 */
export async function planAdopt(input: {
  resource: ResourceKey;
  field: FieldDrift;
  readFile: (file: string) => Promise<string>;
  /** Environments (other than the drifted one) whose render reads a given file. */
  environmentsReading?: (file: string) => Promise<string[]>;
}): Promise<AdoptPlan> {
  const { resource, field } = input;
  const what = `${keyLabel(resource)} ${field.path}`;
  if (field.secret || resource.kind === 'Secret') {
    throw new RefusedError(
      `${what} is Secret data: it is never written to git in plain text. Update its encrypted source (SOPS, Sealed Secrets, External Secrets…) by hand.`,
    );
  }
  if (field.live === undefined)
    throw new RefusedError(
      `${what}: the cluster does not set this field; adopting a removal means deleting lines in git, which is left to you.`,
    );
  if (field.desired === undefined)
    throw new RefusedError(`${what}: git does not set this field, so there is no line to change; add it by hand.`);
  if (typeof field.live === 'object' && field.live !== null)
    throw new RefusedError(`${what}: only single values can be adopted, not a whole map or list.`);
  if (!field.origin) throw new RefusedError(`${what}: the renderer did not report which line sets it.`);
  const origin = field.origin;
  const text = await input.readFile(origin.file);
  const file = /\.ya?ml$|(^|\/)Kustomization$/.test(origin.file)
    ? parseYamlFile(origin.file, text)
    : { file: origin.file, text };
  const result = planValueEdit({ origin, path: field.path, current: field.desired, next: field.live }, file);
  if ('reason' in result) throw new RefusedError(`${what} cannot be adopted: ${result.reason}`);
  const [change] = applyEdits(new Map([[origin.file, text]]), result.edits);
  if (!change) throw new RefusedError(`${what}: ${formatLocation(origin)} already holds the live value`);
  const alsoChanges = input.environmentsReading ? await input.environmentsReading(origin.file) : [];
  return {
    change,
    alsoChanges,
    label: `${what}: ${JSON.stringify(field.desired)} → ${JSON.stringify(field.live)} at ${formatLocation(origin)}`,
  };
}
