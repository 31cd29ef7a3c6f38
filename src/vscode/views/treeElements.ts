import type { ResourceKey } from '../../core/model/resource';
import { keyString } from '../../core/model/resource';

/** Tree elements are plain data with stable ids, so `reveal` and expansion state survive refreshes. */
export type TreeElement =
  | NoClusterElement
  | GroupElement
  | EnvironmentElement
  | ApplicationElement
  | KindElement
  | ResourceElement
  | MessageElement;

/** A group of environments (a folder, a cluster, a namespace), when the view groups them. */
export interface GroupElement {
  type: 'group';
  id: string;
  /** Its first environment (every element names one). */
  env: string;
  by: string;
  key: string;
}

/**
 * Why environments could not reach their cluster, said once at the top of the view for all of them (their objects
 * show as not checked), with the one thing to do about it: Select Kube Context….
 */
export interface NoClusterElement {
  type: 'noCluster';
  id: string;
  /** The first environment it covers. */
  env: string;
  envs: string[];
  cause: string;
}

export interface EnvironmentElement {
  type: 'environment';
  id: string;
  env: string;
}

/** One application of an environment that holds several (with one, the tree leaves this level out). */
export interface ApplicationElement {
  type: 'application';
  id: string;
  env: string;
  app: string;
}

export interface KindElement {
  type: 'kind';
  id: string;
  env: string;
  group: string;
  kind: string;
  /** The application it groups objects of, when the environment shows that level. */
  app?: string;
}

export interface ResourceElement {
  type: 'resource';
  id: string;
  env: string;
  key: ResourceKey;
}

/** An environment's (or application's) error or note, shown as its child. */
export interface MessageElement {
  type: 'message';
  id: string;
  env: string;
  text: string;
  app?: string;
}

export function groupElement(by: string, key: string, firstEnv: string): GroupElement {
  return { type: 'group', id: `group:${by}:${key}`, env: firstEnv, by, key };
}

export function environmentElement(env: string): EnvironmentElement {
  return { type: 'environment', id: `env:${env}`, env };
}

export function applicationElement(env: string, app: string): ApplicationElement {
  return { type: 'application', id: `app:${env}:${app}`, env, app };
}

export function kindElement(env: string, group: string, kind: string, app?: string): KindElement {
  return app === undefined
    ? { type: 'kind', id: `kind:${env}:${group}/${kind}`, env, group, kind }
    : { type: 'kind', id: `kind:${env}:${app}:${group}/${kind}`, env, group, kind, app };
}

export function resourceElement(env: string, key: ResourceKey): ResourceElement {
  return { type: 'resource', id: `res:${env}:${keyString(key)}`, env, key };
}

export function messageElement(env: string, text: string, app?: string): MessageElement {
  return app === undefined
    ? { type: 'message', id: `msg:${env}`, env, text }
    : { type: 'message', id: `msg:${env}:${app}`, env, text, app };
}

export function noClusterElement(cause: string, envs: string[]): NoClusterElement {
  return { type: 'noCluster', id: `nocluster:${cause}`, env: envs[0] ?? '', envs, cause };
}

/** The environment a selection is in: none for a group or the No cluster row. */
export function selectedEnvironment(selection: readonly TreeElement[]): string | undefined {
  const first = selection[0];
  return first && first.type !== 'group' && first.type !== 'noCluster' ? first.env : undefined;
}
