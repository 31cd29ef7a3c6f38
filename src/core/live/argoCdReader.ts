/**
 * Live state from Argo CD's API server instead of a cluster: a ClusterReader over one Application's managed
 * resources (`GET /api/v1/applications/{name}/managed-resources`: Argo CD's live state of each object it manages),
 * so the engine's own render, pairing and field comparison run unchanged and drift lands on the line in git that set
 * the value, for a cluster this machine has no kube credentials for. The Applications themselves (their status) come
 * from one `GET /api/v1/applications`, shared by every environment of the run (`ArgoCdSession`).
 *
 * Argo CD masks Secret values in what it returns (`+` runs, equal values equally masked): a Secret's keys are compared
 * as usual, and each value only as "as Argo CD renders git" or "differs", from Argo CD's own masks (see `maskSecret`).
 */
import { splitApiVersion } from '../model/resource';
import type { KubeObject } from '../model/resource';
import type { ArgoCdApi, ArgoManagedResource, ClusterReader, ListOutcome, ResourceType } from '../ports';
import { ARGO_GROUP, type ArgoApplicationRef } from './argoApplication';
import { isClusterError } from './clusterError';

/** Stand-in for a Secret value Argo CD reports equal to its render of git (base64 of `argocd:same`). */
export const ARGO_SECRET_SAME = 'YXJnb2NkOnNhbWU=';
/** Stand-in for a Secret value Argo CD reports different from its render of git (base64 of `argocd:differs`). */
export const ARGO_SECRET_DIFFERS = 'YXJnb2NkOmRpZmZlcnM=';

/** One Argo CD server for a run: its Applications read once, each Application's managed resources once. */
export class ArgoCdSession {
  private applicationList: Promise<KubeObject[]> | undefined;
  private readonly managed = new Map<string, Promise<ArgoManagedResource[]>>();

  constructor(readonly api: ArgoCdApi) {}

  /** Every Application (one request for the whole run, however many environments ask). */
  applications(): Promise<KubeObject[]> {
    if (!this.applicationList) {
      this.applicationList = this.api.applications();
      this.applicationList.catch(() => (this.applicationList = undefined));
    }
    return this.applicationList;
  }

  /** One Application's managed resources: asked only when that application is checked (opened). */
  managedResources(ref: ArgoApplicationRef): Promise<ArgoManagedResource[]> {
    const key = `${ref.namespace}/${ref.name}`;
    let pending = this.managed.get(key);
    if (!pending) {
      pending = this.api.managedResources(ref.name, ref.namespace);
      pending.catch(() => this.managed.delete(key));
      this.managed.set(key, pending);
    }
    return pending;
  }

  /**
   * A reader of these Applications' objects (and of the Applications' statuses): one Application's environment, or a
   * destination environment's several (argocd.environments: cluster | namespace).
   */
  reader(refs: ArgoApplicationRef | readonly ArgoApplicationRef[]): ClusterReader {
    return new ArgoCdAppReader(this, Array.isArray(refs) ? refs : [refs as ArgoApplicationRef]);
  }

  /**
   * What an environment of these Applications reads through this server: its reader, and which of its Applications
   * could not be read (the engine's `LiveSource.unreadApplications`), so one Application the token may not read leaves
   * the others checked.
   */
  liveSource(refs: readonly ArgoApplicationRef[]): {
    reader: ClusterReader;
    unreadApplications: () => Promise<ReadonlyMap<string, UnreadApplication>>;
  } {
    return {
      reader: this.reader(refs),
      unreadApplications: async () => (await this.managedResourcesOf(refs)).unread,
    };
  }

  /**
   * The managed resources of several Applications, in their order, and those of each Application that could not be
   * read (by `namespace/name`). A server that cannot be used at all (a `ClusterError`) fails them all.
   */
  async managedResourcesOf(
    refs: readonly ArgoApplicationRef[],
  ): Promise<{ resources: ArgoManagedResource[]; unread: Map<string, UnreadApplication> }> {
    const settled = await Promise.allSettled(refs.map((ref) => this.managedResources(ref)));
    const resources: ArgoManagedResource[] = [];
    const unread = new Map<string, UnreadApplication>();
    settled.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') {
        resources.push(...outcome.value);
        return;
      }
      const e: unknown = outcome.reason;
      if (isClusterError(e) || !(e instanceof Error)) throw e;
      const status = (e as Error & { status?: unknown }).status;
      unread.set(`${refs[i].namespace}/${refs[i].name}`, {
        verdict: status === 403 ? 'Forbidden' : 'NotChecked',
        message: e.message,
      });
    });
    return { resources, unread };
  }
}

/**
 * Why one Application's objects were not read through Argo CD's API: `Forbidden` when the token may not read it (403),
 * else `NotChecked` (no such Application, a server error for it). Its objects get this verdict; the message is said
 * once, on the Application.
 */
export interface UnreadApplication {
  verdict: 'Forbidden' | 'NotChecked';
  message: string;
}

/** Kinds served cluster-wide that an Application commonly holds; any other kind Argo CD does not list is namespaced. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'APIService',
]);

/** A ClusterReader over Applications' managed resources, as Argo CD's API reports them. */
class ArgoCdAppReader implements ClusterReader {
  constructor(
    private readonly session: ArgoCdSession,
    private readonly refs: readonly ArgoApplicationRef[],
  ) {}

  async resourceType(group: string, kind: string, version?: string): Promise<ResourceType | undefined> {
    if (group === ARGO_GROUP && kind === 'Application')
      return { group, version: 'v1alpha1', kind, resource: 'applications', namespaced: true, verbs: ['list'] };
    const listed = (await this.session.managedResourcesOf(this.refs)).resources.find(
      (r) => r.group === group && r.kind === kind,
    );
    const namespaced = listed ? listed.namespace !== '' : !CLUSTER_SCOPED.has(kind);
    const liveVersion = listed ? versionOf(listed) : undefined;
    return {
      group,
      version: liveVersion ?? version ?? 'v1',
      kind,
      resource: `${kind.toLowerCase()}s`,
      namespaced,
      verbs: ['list'],
    };
  }

  async list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    if (type.group === ARGO_GROUP && type.kind === 'Application') {
      const items = (await this.session.applications()).filter(
        (a) => !namespace || (a.metadata?.namespace ?? '') === namespace,
      );
      return {
        status: 'ok',
        items: items.map((a) => ({ ...a, apiVersion: a.apiVersion ?? `${ARGO_GROUP}/v1alpha1`, kind: 'Application' })),
        resourceVersion: '',
      };
    }
    const items: KubeObject[] = [];
    // An Application that could not be read lists nothing here: the engine marks its objects (unreadApplications).
    for (const r of (await this.session.managedResourcesOf(this.refs)).resources) {
      if (r.group !== type.group || r.kind !== type.kind || r.hook) continue;
      if (type.namespaced && namespace && r.namespace !== namespace) continue;
      const live = parseState(r.liveState);
      if (!live) continue;
      items.push(type.group === '' && type.kind === 'Secret' ? maskSecret(live, parseState(r.targetState)) : live);
    }
    return { status: 'ok', items, resourceVersion: '' };
  }
}

/** The API version of a managed resource's live (else target) object. */
function versionOf(r: ArgoManagedResource): string | undefined {
  const obj = parseState(r.liveState) ?? parseState(r.targetState);
  return obj?.apiVersion ? splitApiVersion(obj.apiVersion).version : undefined;
}

/** A managed resource's state: JSON text, `null` or empty when the object does not exist on that side. */
function parseState(text: string | undefined): KubeObject | undefined {
  if (!text || text === 'null') return undefined;
  try {
    const obj = JSON.parse(text) as unknown;
    return obj && typeof obj === 'object' && !Array.isArray(obj) && 'kind' in obj ? (obj as KubeObject) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A live Secret whose masked values become "same" or "differs": Argo CD masks the target and the live value of a key
 * alike when they are equal (gitops-engine's HideSecretData), so equal masks mean the live value is what Argo CD
 * renders from git.
 */
export function maskSecret(live: KubeObject, target: KubeObject | undefined): KubeObject {
  const data = record(live.data);
  const targetData = { ...record(target?.data), ...record(target?.stringData) };
  const masked: Record<string, string> = {};
  for (const [k, v] of Object.entries(data))
    masked[k] = k in targetData && targetData[k] === v ? ARGO_SECRET_SAME : ARGO_SECRET_DIFFERS;
  const { stringData: _stringData, ...rest } = live as KubeObject & { stringData?: unknown };
  return { ...rest, data: masked };
}

/**
 * Git's Secret with every value as the "same" stand-in (keys kept): compared with `maskSecret`'s live side, a key
 * Argo CD reports changed differs, an equal one does not, and no value of either side is known here.
 */
export function maskDesiredSecret(obj: KubeObject): KubeObject {
  const keys = [...Object.keys(record(obj.data)), ...Object.keys(record(obj.stringData))];
  const { stringData: _stringData, ...rest } = obj as KubeObject & { stringData?: unknown };
  return { ...rest, data: Object.fromEntries(keys.map((k) => [k, ARGO_SECRET_SAME])) };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
