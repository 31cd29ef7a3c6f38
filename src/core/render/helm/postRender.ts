/**
 * helm-controller's post-renderers (internal/postrender), applied to a release's render as it applies them before
 * Helm installs or upgrades: each `spec.postRenderers[].kustomize` in order as a kustomization of its own whose one
 * resource is the rendered manifest (`images`, `patches` with their targets; kustomize-controller's krusty, no load
 * restrictions, no plugins) — built here by our kustomize renderer on an in-memory tree — then helm-controller's
 * origin labels on every object (`helm.toolkit.fluxcd.io/name` and `/namespace`, the HelmRelease's, in
 * `metadata.labels` only, as its LabelTransformer is configured). Objects keep their template; fields a patch sets
 * keep the template's origin (not the patch's line yet).
 */
import { dump } from 'js-yaml';
import { MemoryFileSystem } from '../../memoryFileSystem';
import { keyOf, keyString, type KubeObject } from '../../model/resource';
import { renderKustomization } from '../kustomize/kustomize';
import type { RenderedObject } from '../types';

export const ORIGIN_LABEL_NAME = 'helm.toolkit.fluxcd.io/name';
export const ORIGIN_LABEL_NAMESPACE = 'helm.toolkit.fluxcd.io/namespace';

/** The release's objects as helm-controller hands them to Helm; throws a readable error when a post-renderer fails. */
export async function postRender(
  objects: RenderedObject[],
  helmRelease: { name: string; namespace: string; spec: Record<string, unknown> },
): Promise<RenderedObject[]> {
  let current = objects;
  const renderers = Array.isArray(helmRelease.spec.postRenderers) ? helmRelease.spec.postRenderers : [];
  for (const [i, renderer] of renderers.entries()) {
    const kustomize = rec(rec(renderer).kustomize);
    if (!Object.keys(kustomize).length) continue;
    current = await kustomizeStep(current, kustomize, i);
  }
  return current.map((o) => withOriginLabels(o, helmRelease.name, helmRelease.namespace));
}

async function kustomizeStep(
  objects: RenderedObject[],
  spec: Record<string, unknown>,
  index: number,
): Promise<RenderedObject[]> {
  const kustomization: Record<string, unknown> = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['helm-output.yaml'],
  };
  if (Array.isArray(spec.images) && spec.images.length)
    kustomization.images = spec.images.map((image) => {
      const m = rec(image);
      return Object.fromEntries(
        ['name', 'newName', 'newTag', 'digest'].filter((k) => typeof m[k] === 'string' && m[k]).map((k) => [k, m[k]]),
      );
    });
  if (Array.isArray(spec.patches) && spec.patches.length)
    kustomization.patches = spec.patches.map((p) => {
      const m = rec(p);
      return {
        ...(typeof m.patch === 'string' ? { patch: m.patch } : {}),
        ...(isMap(m.target) ? { target: m.target } : {}),
      };
    });
  const fs = new MemoryFileSystem(
    {
      'kustomization.yaml': dump(kustomization, { lineWidth: -1 }),
      'helm-output.yaml': objects.map((o) => `---\n${dump(o.object, { lineWidth: -1, noRefs: true })}`).join(''),
    },
    '/post-render',
  );
  let rendered: RenderedObject[];
  try {
    rendered = (await renderKustomization('.', { fs, repoRoot: '/post-render' })).objects;
  } catch (e) {
    throw new Error(`postRenderers[${index}].kustomize: ${(e as Error).message}`);
  }
  // Each object back to what it was rendered from (a patch may not rename it), with its template and origin.
  const before = new Map(objects.map((o) => [keyString(o.key), o]));
  return rendered.map((r) => {
    const was = before.get(keyString(r.key)) ?? objects[0];
    return { ...was, object: r.object, key: keyOf(r.object) };
  });
}

function withOriginLabels(o: RenderedObject, name: string, namespace: string): RenderedObject {
  const metadata = rec(o.object.metadata);
  const labels = { ...rec(metadata.labels), [ORIGIN_LABEL_NAME]: name, [ORIGIN_LABEL_NAMESPACE]: namespace };
  const object = { ...o.object, metadata: { ...metadata, labels } } as KubeObject;
  return { ...o, object };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function rec(v: unknown): Record<string, unknown> {
  return isMap(v) ? v : {};
}
