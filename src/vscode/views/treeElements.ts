import type { ResourceKey } from '../../core/model/resource';
import { keyString } from '../../core/model/resource';

/** Tree elements are plain data with stable ids, so `reveal` and expansion state survive refreshes. */
export type TreeElement = EnvironmentElement | KindElement | ResourceElement | MessageElement;

export interface EnvironmentElement {
  type: 'environment';
  id: string;
  env: string;
}

export interface KindElement {
  type: 'kind';
  id: string;
  env: string;
  group: string;
  kind: string;
}

export interface ResourceElement {
  type: 'resource';
  id: string;
  env: string;
  key: ResourceKey;
}

/** An environment-level error or note, shown as a child of the environment. */
export interface MessageElement {
  type: 'message';
  id: string;
  env: string;
  text: string;
}

export function environmentElement(env: string): EnvironmentElement {
  return { type: 'environment', id: `env:${env}`, env };
}

export function kindElement(env: string, group: string, kind: string): KindElement {
  return { type: 'kind', id: `kind:${env}:${group}/${kind}`, env, group, kind };
}

export function resourceElement(env: string, key: ResourceKey): ResourceElement {
  return { type: 'resource', id: `res:${env}:${keyString(key)}`, env, key };
}

export function messageElement(env: string, text: string): MessageElement {
  return { type: 'message', id: `msg:${env}`, env, text };
}
