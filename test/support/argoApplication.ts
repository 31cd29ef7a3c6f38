/**
 * Tests about something other than the environment model (a source type, a Helm value's line, an ignore rule) look
 * at one Argo CD Application. Since `argocd.environments: cluster` is the default, an Application is an application of
 * its destination environment, so these helpers find it there and narrow the environment to it: its applications
 * (a multi-source Application's are `NAME/SOURCE`), its tracking and its own ignore rules. What a whole destination
 * environment does is tested in test/unit/repo/argoEnvironments.test.ts.
 */
import type { RepoEnvironment } from '../../src/core/repo/config';

/** Whether an application of an environment belongs to the Argo CD Application `name` (one per source). */
function ofApplication(appName: string, name: string): boolean {
  return appName === name || appName.startsWith(`${name}/`);
}

/**
 * The environment holding the Argo CD Application `name`, narrowed to that Application. Throws, naming the
 * environments and their applications, when no environment holds it.
 */
export function argoApplicationIn(environments: readonly RepoEnvironment[], name: string): RepoEnvironment {
  // An environment of that name (Flux, declared, an app-of-apps root, or `argocd.environments: application`) is it.
  const named = environments.find((e) => e.name === name);
  if (named) return named;
  const env = environments.find((e) => e.applications.some((a) => ofApplication(a.name, name)));
  if (!env) {
    const known = environments.map((e) => `${e.name} [${e.applications.map((a) => a.name).join(', ')}]`);
    throw new Error(`no Argo CD Application '${name}' in any environment (known: ${known.join('; ')})`);
  }
  const applications = env.applications.filter((a) => ofApplication(a.name, name));
  const ignore = (env.ignore ?? []).filter(
    (rule) => !rule.applications || rule.applications.some((a) => ofApplication(a, name)),
  );
  const tracking = env.tracking && {
    ...env.tracking,
    ...(env.tracking.argocdApps ? { argocdApps: env.tracking.argocdApps.filter((a) => a === name) } : {}),
  };
  return {
    ...env,
    applications,
    ...(tracking ? { tracking } : {}),
    ...(env.ignore ? { ignore } : {}),
  };
}

/** `engine.environment(name)` for an Argo CD Application: its destination environment, narrowed to it. */
export async function argoApplication(
  engine: { repo(): Promise<{ environments: readonly RepoEnvironment[] }> },
  name: string,
): Promise<RepoEnvironment> {
  return argoApplicationIn((await engine.repo()).environments, name);
}
