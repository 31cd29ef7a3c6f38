import type { SourceLocation } from './location';

/** A deployable environment: one kustomization root (or plain-YAML folder) and where it runs. */
export interface Environment {
  name: string;
  /** Repo-relative path of the root. */
  path: string;
  /** Kube context; undefined = the kubeconfig's current context. */
  context?: string;
  /** Namespace for objects that name none. */
  namespace?: string;
  /** How the environment was found. */
  source: 'config' | 'setting' | 'discovered' | 'argocd' | 'flux';
  /** Where it is declared (config entry, Argo CD Application, Flux Kustomization), if anywhere. */
  definedAt?: SourceLocation;
}
