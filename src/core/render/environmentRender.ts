/**
 * An environment's render: the union of its applications' renders, as its controller applies them all to one
 * cluster. The same object from two applications is an error on both declarations (Flux and Argo CD refuse it too:
 * two owners would undo each other's changes); the first application's object is the one compared.
 */
import { type Application, describeSource, type Environment } from '../model/environment';
import { formatLocation, type SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import { keyLabel, keyString } from '../model/resource';
import type { RenderedObject, RenderResult } from './types';

/** One application's part of an environment's render. */
export interface RenderedApplication {
  application: Application;
  /** Its render; absent when it failed (`error`) or its source is outside this repo. */
  result?: RenderResult;
  /** Why it has no render: the render's error, or the outside source. */
  error?: string;
  /** What its failure or its source says, at the application's declaration (a render's own are in `result`). */
  problems: Problem[];
}

/** The union of an environment's application renders, with each application's own part. */
export interface RenderedEnvironment extends RenderResult {
  applications: RenderedApplication[];
  /** The application that rendered each object of `objects`. */
  applicationOf: Map<RenderedObject, Application>;
}

/** Joins application renders in order; objects rendered by two applications are kept once and reported. */
export function joinApplicationRenders(env: Environment, parts: RenderedApplication[]): RenderedEnvironment {
  const objects: RenderedObject[] = [];
  const problems: Problem[] = [];
  const files = new Set<string>();
  const applicationOf = new Map<RenderedObject, Application>();
  const first = new Map<string, Application>();
  for (const part of parts) {
    problems.push(...part.problems);
    if (!part.result) continue;
    problems.push(...part.result.problems);
    for (const f of part.result.files) files.add(f);
    const app = part.application;
    for (const r of part.result.objects) {
      // Objects naming no namespace land in their application's (or the environment's): that is where they collide.
      const id = keyString({ ...r.key, namespace: r.key.namespace || app.namespace || env.namespace || '' });
      const owner = first.get(id);
      if (owner && owner !== app) {
        problems.push(...renderedTwice(r, owner, app));
        continue;
      }
      first.set(id, app);
      objects.push(r);
      applicationOf.set(r, app);
    }
  }
  return { root: env.path, objects, problems, files: [...files], applications: parts, applicationOf };
}

function renderedTwice(r: RenderedObject, owner: Application, other: Application): Problem[] {
  const where = (app: Application): SourceLocation =>
    app.declaredAt ?? { file: describeSource(app.source), line: 0, column: 0 };
  const label = keyLabel(r.key);
  const at = (app: Application) =>
    app.declaredAt ? ` (${formatLocation(app.declaredAt)})` : ` (${describeSource(app.source)})`;
  return [
    {
      severity: 'error',
      message: `${label} is also rendered by application '${other.name}'${at(other)}: a controller will not apply one object for two applications; the one from '${owner.name}' is compared`,
      location: where(owner),
    },
    {
      severity: 'error',
      message: `${label} is also rendered by application '${owner.name}'${at(owner)}: a controller will not apply one object for two applications; the one from '${owner.name}' is compared`,
      location: where(other),
    },
  ];
}
