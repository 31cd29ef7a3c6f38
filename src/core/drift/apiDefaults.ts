/**
 * API defaults of the built-in kinds, for fields git does not set. A hand edit is credited in `managedFields` with
 * every field the request changed, defaults the server filled in included (patching a Service to NodePort also
 * gives the patcher `externalTrafficPolicy: Cluster`); and git not setting a field means "the default". So a field
 * git does not set whose live value is its default is not drift.
 *
 * Two sources: the defaults the pinned Kubernetes version's OpenAPI document states (src/core/k8s/apiFields.ts,
 * generated: a port's protocol `TCP`), and the tables below, by hand. The document lacks every fact in those tables:
 * the API server's defaulting functions (`SetDefaults_Deployment`, `SetDefaults_PodSpec`, ...) set them in code, and
 * the document at most says so in a field's prose ("Defaults to 10."). test/unit/drift/apiDefaults.test.ts fails
 * when a hand entry repeats a default the document has.
 */
import { apiFieldAt } from '../k8s/apiFields';
import { childPointer, isMap, parentPointer, valueAt } from '../yaml/pointer';

/**
 * Pod spec defaults, relative to the pod spec: `SetDefaults_PodSpec` (pkg/apis/core/v1/defaults.go) sets the first
 * five; the host* flags are the zero values of optional non-pointer booleans, which the document states only for
 * required fields.
 */
const POD_SPEC: Record<string, unknown> = {
  restartPolicy: 'Always',
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  terminationGracePeriodSeconds: 30,
  enableServiceLinks: true,
  hostNetwork: false,
  hostPID: false,
  hostIPC: false,
};

/** `SetDefaults_Container` sets the termination message fields; stdin and tty are optional booleans' zero values. */
const CONTAINER: Record<string, unknown> = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  stdin: false,
  tty: false,
};

/** `SetDefaults_Probe`; initialDelaySeconds is an optional number's zero value. */
const PROBE: Record<string, unknown> = {
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
  initialDelaySeconds: 0,
};

/** An admission webhook's defaults (admissionregistration/v1's defaulting), `*` for its index. */
const WEBHOOK: Record<string, unknown> = {
  '/webhooks/*/clientConfig/service/port': 443,
  '/webhooks/*/failurePolicy': 'Fail',
  '/webhooks/*/matchPolicy': 'Equivalent',
  '/webhooks/*/timeoutSeconds': 10,
};

/**
 * Spec defaults by kind, pointer relative to the object, `*` for a list index: the defaulting functions of apps/v1
 * and batch/v1 (`SetDefaults_Deployment`, `SetDefaults_Job`, ...), `SetDefaults_Service`, `SetDefaults_Secret`,
 * `SetDefaults_PersistentVolumeClaimSpec`, and those of autoscaling, networking, storage, scheduling,
 * admissionregistration and apiextensions; plus a few optional zero values (paused, minReadySeconds).
 */
const BY_KIND: Record<string, Record<string, unknown>> = {
  Deployment: {
    '/spec/replicas': 1,
    '/spec/revisionHistoryLimit': 10,
    '/spec/progressDeadlineSeconds': 600,
    '/spec/strategy/type': 'RollingUpdate',
    '/spec/strategy/rollingUpdate/maxSurge': '25%',
    '/spec/strategy/rollingUpdate/maxUnavailable': '25%',
    '/spec/paused': false,
    '/spec/minReadySeconds': 0,
  },
  StatefulSet: {
    '/spec/replicas': 1,
    '/spec/revisionHistoryLimit': 10,
    '/spec/podManagementPolicy': 'OrderedReady',
    '/spec/updateStrategy/type': 'RollingUpdate',
    '/spec/updateStrategy/rollingUpdate/partition': 0,
    '/spec/persistentVolumeClaimRetentionPolicy/whenDeleted': 'Retain',
    '/spec/persistentVolumeClaimRetentionPolicy/whenScaled': 'Retain',
    '/spec/minReadySeconds': 0,
  },
  DaemonSet: {
    '/spec/revisionHistoryLimit': 10,
    '/spec/updateStrategy/type': 'RollingUpdate',
    '/spec/updateStrategy/rollingUpdate/maxUnavailable': 1,
    '/spec/updateStrategy/rollingUpdate/maxSurge': 0,
    '/spec/minReadySeconds': 0,
  },
  ReplicaSet: { '/spec/replicas': 1, '/spec/minReadySeconds': 0 },
  // manualSelector: false is what the server writes when it generates the selector (git not asking for a manual one).
  Job: {
    '/spec/backoffLimit': 6,
    '/spec/completionMode': 'NonIndexed',
    '/spec/suspend': false,
    '/spec/parallelism': 1,
    '/spec/completions': 1,
    '/spec/manualSelector': false,
  },
  CronJob: {
    '/spec/suspend': false,
    '/spec/concurrencyPolicy': 'Allow',
    '/spec/successfulJobsHistoryLimit': 3,
    '/spec/failedJobsHistoryLimit': 1,
    '/spec/jobTemplate/spec/backoffLimit': 6,
    '/spec/jobTemplate/spec/completionMode': 'NonIndexed',
    '/spec/jobTemplate/spec/suspend': false,
  },
  Service: {
    '/spec/type': 'ClusterIP',
    '/spec/sessionAffinity': 'None',
    '/spec/externalTrafficPolicy': 'Cluster',
    '/spec/internalTrafficPolicy': 'Cluster',
    '/spec/ipFamilyPolicy': 'SingleStack',
    '/spec/allocateLoadBalancerNodePorts': true,
    '/spec/publishNotReadyAddresses': false,
  },
  // Not defaulting code but the ServiceAccount admission plugin (and the conversion that mirrors the old name).
  Pod: { '/spec/serviceAccountName': 'default', '/spec/serviceAccount': 'default' },
  Secret: { '/type': 'Opaque' },
  PersistentVolumeClaim: { '/spec/volumeMode': 'Filesystem' },
  // autoscaling/v2's defaulting; the default metric (80% CPU) and scaling policies are list items, which drift
  // reports whole when git lacks them, before asking this table.
  HorizontalPodAutoscaler: {
    '/spec/minReplicas': 1,
    '/spec/behavior/scaleUp/stabilizationWindowSeconds': 0,
    '/spec/behavior/scaleUp/selectPolicy': 'Max',
    '/spec/behavior/scaleDown/selectPolicy': 'Max',
  },
  NetworkPolicy: { '/spec/ingress/*/ports/*/protocol': 'TCP', '/spec/egress/*/ports/*/protocol': 'TCP' },
  StorageClass: { '/reclaimPolicy': 'Delete', '/volumeBindingMode': 'Immediate' },
  PriorityClass: { '/preemptionPolicy': 'PreemptLowerPriority' },
  ValidatingWebhookConfiguration: WEBHOOK,
  MutatingWebhookConfiguration: { ...WEBHOOK, '/webhooks/*/reinvocationPolicy': 'Never' },
  CustomResourceDefinition: { '/spec/conversion/strategy': 'None' },
};

const POD_SPEC_AT: Record<string, string> = {
  Pod: '/spec',
  Deployment: '/spec/template/spec',
  StatefulSet: '/spec/template/spec',
  DaemonSet: '/spec/template/spec',
  ReplicaSet: '/spec/template/spec',
  Job: '/spec/template/spec',
  CronJob: '/spec/jobTemplate/spec/template/spec',
  ReplicationController: '/spec/template/spec',
  PodTemplate: '/template/spec',
};

const CONTAINER_FIELD = /^\/(?:containers|initContainers|ephemeralContainers)\/\d+\/([^/]+)$/;
const PROBE_FIELD = /^\/(?:containers|initContainers)\/\d+\/(?:livenessProbe|readinessProbe|startupProbe)\/([^/]+)$/;
/** `SetDefaults_HTTPGetAction`, for a probe's or a lifecycle hook's HTTP GET. */
const HTTP_GET_FIELD =
  /^\/(?:containers|initContainers|ephemeralContainers)\/\d+\/(?:livenessProbe|readinessProbe|startupProbe|lifecycle\/postStart|lifecycle\/preStop)\/httpGet\/([^/]+)$/;
const HTTP_GET: Record<string, unknown> = { path: '/', scheme: 'HTTP' };
/** A Service port's targetPort: the defaulting code copies the port, which no schema `default` can say. */
const SERVICE_TARGET_PORT = /^\/spec\/ports\/(\d+)\/targetPort$/;

/**
 * Values the server assigns when git leaves them out (any value is what git asked for): allocated by the API
 * server (IPs, node ports), a controller (a claim's volume) or the scheduler (a pod's node), never a default.
 */
const SERVER_ASSIGNED: Record<string, RegExp> = {
  Service: /^\/spec\/(?:clusterIP|clusterIPs(?:\/\d+)?|ipFamilies(?:\/\d+)?|healthCheckNodePort|ports\/\d+\/nodePort)$/,
  // The selector and pod labels the server generates for a Job that does not ask for a manual selector.
  Job: /^\/spec\/(?:selector\/matchLabels|template\/metadata\/labels)\/(?:batch\.kubernetes\.io~1)?(?:controller-uid|job-name)$/,
  PersistentVolumeClaim: /^\/spec\/volumeName$/,
  // The scheduler's node; the Priority admission plugin's values, copied from the pod's priority class (the
  // cluster's default class when git names none).
  Pod: /^\/spec\/(?:nodeName|priority|preemptionPolicy)$/,
};

/**
 * The pull policy default, `Always` for `:latest` or an untagged image, else `IfNotPresent`: `SetDefaults_Container`
 * reads it off the image, which no schema `default` can say.
 */
function defaultPullPolicy(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  if (image.includes('@')) return 'IfNotPresent';
  const tag = /:([^:/]+)$/.exec(image)?.[1];
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/**
 * Whether a map found at `pointer` where git sets nothing holds only API defaults (each leaf `isApiDefault`): the
 * server filled it in. kustomize-controller applies built-in kinds with Go's zero values filled in, so its apply owns
 * `spec.strategy: {}` of a Deployment, which the server then fills with the default rolling update.
 */
export function isApiDefaultMap(kind: string, pointer: string, value: unknown, live: Record<string, unknown>): boolean {
  if (!isMap(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.every(([key, v]) =>
      isMap(v)
        ? isApiDefaultMap(kind, childPointer(pointer, key), v, live)
        : isApiDefault(kind, childPointer(pointer, key), v, live),
    )
  );
}

/**
 * Whether `value`, found at `pointer` in a live object of `kind` where git sets nothing, is the API default there
 * (or a value the server assigns, like a Service's clusterIP).
 */
export function isApiDefault(kind: string, pointer: string, value: unknown, live: Record<string, unknown>): boolean {
  if (SERVER_ASSIGNED[kind]?.test(pointer)) return true;
  const stated = typeof live.apiVersion === 'string' ? apiFieldAt(live.apiVersion, kind, pointer)?.default : undefined;
  if (stated !== undefined) return stated === value;
  const byKind = BY_KIND[kind];
  const schema = pointer.replace(/\/\d+(?=\/|$)/g, '/*');
  if (byKind && schema in byKind) return byKind[schema] === value;
  // `SetDefaults_LimitRangeItem`: a missing default takes the max, a missing defaultRequest the default.
  const limit =
    kind === 'LimitRange' ? /^\/spec\/limits\/(\d+)\/(default|defaultRequest)\/([^/]+)$/.exec(pointer) : null;
  if (limit) {
    const item = valueAt(live, `/spec/limits/${limit[1]}`);
    const from = (field: string) => (isMap(item) && isMap(item[field]) ? item[field][limit[3]] : undefined);
    return value === (limit[2] === 'default' ? from('max') : (from('default') ?? from('max')));
  }
  // A CustomResourceDefinition's names the server derives from its kind.
  if (
    kind === 'CustomResourceDefinition' &&
    (pointer === '/spec/names/singular' || pointer === '/spec/names/listKind')
  ) {
    const names = isMap(live.spec) && isMap(live.spec.names) ? live.spec.names : undefined;
    const crdKind = typeof names?.kind === 'string' ? names.kind : undefined;
    return crdKind !== undefined && value === (pointer.endsWith('singular') ? crdKind.toLowerCase() : `${crdKind}List`);
  }
  // `SetDefaults_Job`: Failed when the Job has a pod failure policy, else TerminatingOrFailed.
  if (kind === 'Job' && pointer === '/spec/podReplacementPolicy') {
    return value === (isMap(live.spec) && live.spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed');
  }
  const service = kind === 'Service' ? SERVICE_TARGET_PORT.exec(pointer) : null;
  if (service) {
    const ports = isMap(live.spec) ? live.spec.ports : undefined;
    const port =
      Array.isArray(ports) && isMap(ports[Number(service[1])])
        ? (ports[Number(service[1])] as Record<string, unknown>).port
        : undefined;
    return port !== undefined && value === port;
  }
  const podSpec = POD_SPEC_AT[kind];
  if (!podSpec || !pointer.startsWith(`${podSpec}/`)) return false;
  const rest = pointer.slice(podSpec.length);
  const field = rest.slice(1);
  if (field in POD_SPEC) return POD_SPEC[field] === value;
  const httpGet = HTTP_GET_FIELD.exec(rest);
  if (httpGet) return httpGet[1] in HTTP_GET && HTTP_GET[httpGet[1]] === value;
  const probe = PROBE_FIELD.exec(rest);
  if (probe) return probe[1] in PROBE && PROBE[probe[1]] === value;
  const container = CONTAINER_FIELD.exec(rest);
  if (container && container[1] === 'imagePullPolicy') {
    const item = valueAt(live, parentPointer(pointer));
    return isMap(item) && defaultPullPolicy(item.image) === value;
  }
  if (container) return container[1] in CONTAINER && CONTAINER[container[1]] === value;
  return false;
}

/**
 * Every pointer the hand tables give a default for (a container, probe and port at index 0), so a test can check
 * that none repeats a default the OpenAPI document states.
 */
export function handDefaultPointers(): Array<{ kind: string; pointer: string }> {
  const out: Array<{ kind: string; pointer: string }> = [];
  for (const [kind, defaults] of Object.entries(BY_KIND))
    for (const pointer of Object.keys(defaults)) out.push({ kind, pointer: pointer.replace(/\*/g, '0') });
  for (const [kind, at] of Object.entries(POD_SPEC_AT)) {
    for (const field of Object.keys(POD_SPEC)) out.push({ kind, pointer: `${at}/${field}` });
    for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
      for (const field of [...Object.keys(CONTAINER), 'imagePullPolicy'])
        out.push({ kind, pointer: `${at}/${list}/0/${field}` });
    }
    for (const list of ['containers', 'initContainers']) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        for (const field of Object.keys(PROBE)) out.push({ kind, pointer: `${at}/${list}/0/${probe}/${field}` });
      }
    }
    for (const handler of ['livenessProbe', 'lifecycle/postStart']) {
      for (const field of Object.keys(HTTP_GET))
        out.push({ kind, pointer: `${at}/containers/0/${handler}/httpGet/${field}` });
    }
  }
  out.push(
    { kind: 'Service', pointer: '/spec/ports/0/targetPort' },
    { kind: 'Job', pointer: '/spec/podReplacementPolicy' },
  );
  out.push(
    { kind: 'CustomResourceDefinition', pointer: '/spec/names/singular' },
    { kind: 'CustomResourceDefinition', pointer: '/spec/names/listKind' },
  );
  out.push(
    { kind: 'LimitRange', pointer: '/spec/limits/0/default/cpu' },
    { kind: 'LimitRange', pointer: '/spec/limits/0/defaultRequest/cpu' },
  );
  return out;
}
