/**
 * API defaults of the built-in kinds, for fields git does not set. A hand edit is credited in `managedFields` with
 * every field the request changed, defaults the server filled in included (patching a Service to NodePort also
 * gives the patcher `externalTrafficPolicy: Cluster`); and git not setting a field means "the default". So a field
 * git does not set whose live value is its default is not drift.
 */
import { isMap, parentPointer, valueAt } from '../yaml/pointer';

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

const CONTAINER: Record<string, unknown> = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  stdin: false,
  tty: false,
};

const PROBE: Record<string, unknown> = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, initialDelaySeconds: 0 };

/** Workload spec defaults by kind, pointer relative to the object. */
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
  Job: { '/spec/backoffLimit': 6, '/spec/completionMode': 'NonIndexed', '/spec/suspend': false, '/spec/parallelism': 1, '/spec/completions': 1 },
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
  Secret: { '/type': 'Opaque' },
  PersistentVolumeClaim: { '/spec/volumeMode': 'Filesystem' },
};

const POD_SPEC_AT: Record<string, string> = {
  Pod: '/spec',
  Deployment: '/spec/template/spec',
  StatefulSet: '/spec/template/spec',
  DaemonSet: '/spec/template/spec',
  ReplicaSet: '/spec/template/spec',
  Job: '/spec/template/spec',
  CronJob: '/spec/jobTemplate/spec/template/spec',
};

const CONTAINER_FIELD = /^\/(?:containers|initContainers|ephemeralContainers)\/\d+\/([^/]+)$/;
const CONTAINER_PORT_PROTOCOL = /^\/(?:containers|initContainers|ephemeralContainers)\/\d+\/ports\/\d+\/protocol$/;
const PROBE_FIELD = /^\/(?:containers|initContainers)\/\d+\/(?:livenessProbe|readinessProbe|startupProbe)\/([^/]+)$/;
const SERVICE_PORT = /^\/spec\/ports\/(\d+)\/(protocol|targetPort)$/;

/** Values the server assigns when git leaves them out (any value is what git asked for). */
const SERVER_ASSIGNED: Record<string, RegExp> = {
  Service: /^\/spec\/(?:clusterIP|clusterIPs|ipFamilies|healthCheckNodePort|ports\/\d+\/nodePort)$/,
  PersistentVolumeClaim: /^\/spec\/volumeName$/,
  Pod: /^\/spec\/nodeName$/,
};

/** kubelet's pull policy default: `Always` for `:latest` or an untagged image, else `IfNotPresent`. */
function defaultPullPolicy(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  if (image.includes('@')) return 'IfNotPresent';
  const tag = /:([^:/]+)$/.exec(image)?.[1];
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/**
 * Whether `value`, found at `pointer` in a live object of `kind` where git sets nothing, is the API default there
 * (or a value the server assigns, like a Service's clusterIP).
 */
export function isApiDefault(kind: string, pointer: string, value: unknown, live: Record<string, unknown>): boolean {
  if (SERVER_ASSIGNED[kind]?.test(pointer)) return true;
  const byKind = BY_KIND[kind];
  if (byKind && pointer in byKind) return byKind[pointer] === value;
  const service = kind === 'Service' ? SERVICE_PORT.exec(pointer) : null;
  if (service) {
    if (service[2] === 'protocol') return value === 'TCP';
    // targetPort defaults to the port.
    const ports = isMap(live.spec) ? live.spec.ports : undefined;
    const port = Array.isArray(ports) && isMap(ports[Number(service[1])]) ? (ports[Number(service[1])] as Record<string, unknown>).port : undefined;
    return port !== undefined && value === port;
  }
  const podSpec = POD_SPEC_AT[kind];
  if (!podSpec || !pointer.startsWith(`${podSpec}/`)) return false;
  const rest = pointer.slice(podSpec.length);
  const field = rest.slice(1);
  if (field in POD_SPEC) return POD_SPEC[field] === value;
  if (CONTAINER_PORT_PROTOCOL.test(rest)) return value === 'TCP';
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
