/**
 * The in-memory view of a cluster that analyzers read. ConfigMaps and Secrets are kept as
 * names and key names only: values never enter opsloop's memory (a Secret value could leak into
 * a finding, a log or an LLM prompt).
 */
import type {
  CoreV1Event,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Endpoints,
  V1Ingress,
  V1IngressClass,
  V1Job,
  V1MutatingWebhookConfiguration,
  V1Namespace,
  V1NetworkPolicy,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1ReplicaSet,
  V1Service,
  V1StatefulSet,
  V1StorageClass,
  V1ValidatingWebhookConfiguration,
  V2HorizontalPodAutoscaler,
} from "@kubernetes/client-node";

export interface ConfigRef {
  namespace: string;
  name: string;
  /** Key names of data/binaryData (never values). */
  keys: string[];
}

export interface ClusterSnapshot {
  pods: V1Pod[];
  replicaSets: V1ReplicaSet[];
  deployments: V1Deployment[];
  nodes: V1Node[];
  namespaces: V1Namespace[];
  events: CoreV1Event[];
  configMaps: ConfigRef[];
  secrets: ConfigRef[];
  statefulSets: V1StatefulSet[];
  daemonSets: V1DaemonSet[];
  jobs: V1Job[];
  cronJobs: V1CronJob[];
  services: V1Service[];
  endpoints: V1Endpoints[];
  ingresses: V1Ingress[];
  /** Optional: absent in snapshots built before IngressClasses were listed (then not judged). */
  ingressClasses?: V1IngressClass[];
  networkPolicies: V1NetworkPolicy[];
  persistentVolumeClaims: V1PersistentVolumeClaim[];
  persistentVolumes: V1PersistentVolume[];
  storageClasses: V1StorageClass[];
  horizontalPodAutoscalers: V2HorizontalPodAutoscaler[];
  podDisruptionBudgets: V1PodDisruptionBudget[];
  validatingWebhooks: V1ValidatingWebhookConfiguration[];
  mutatingWebhooks: V1MutatingWebhookConfiguration[];
  /**
   * Kinds whose list has not succeeded (e.g. RBAC forbids reading Secrets): their absence from
   * the snapshot proves nothing, so analyzers must not report such objects as missing.
   */
  unsynced?: ("ConfigMap" | "Secret")[];
}

/** Reads a container's log; bounded by the implementation (tail lines / bytes). */
export type LogReader = (
  namespace: string,
  pod: string,
  container: string,
  opts: { previous: boolean },
) => Promise<string | undefined>;

export function emptySnapshot(): ClusterSnapshot {
  return {
    pods: [],
    replicaSets: [],
    deployments: [],
    nodes: [],
    namespaces: [],
    events: [],
    configMaps: [],
    secrets: [],
    statefulSets: [],
    daemonSets: [],
    jobs: [],
    cronJobs: [],
    services: [],
    endpoints: [],
    ingresses: [],
    ingressClasses: [],
    networkPolicies: [],
    persistentVolumeClaims: [],
    persistentVolumes: [],
    storageClasses: [],
    horizontalPodAutoscalers: [],
    podDisruptionBudgets: [],
    validatingWebhooks: [],
    mutatingWebhooks: [],
  };
}

/** Reduces a ConfigMap or Secret to its name and key names. */
export function redactConfig(obj: {
  metadata?: { namespace?: string; name?: string };
  data?: Record<string, unknown>;
  binaryData?: Record<string, unknown>;
}): ConfigRef {
  return {
    namespace: obj.metadata?.namespace ?? "",
    name: obj.metadata?.name ?? "",
    keys: [...Object.keys(obj.data ?? {}), ...Object.keys(obj.binaryData ?? {})].sort(),
  };
}
