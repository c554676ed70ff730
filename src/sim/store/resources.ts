/**
 * The kinds the simulator serves: one table from which discovery, OpenAPI, routing and the
 * store all derive. Custom resources are added at run time when a CRD is created.
 */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: the path segment. */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources such as status, scale, log, eviction. */
  subresources: string[];
  verbs: string[];
}

const ALL_VERBS = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

function rt(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
  subresources: string[] = [],
  categories: string[] = [],
): ResourceType {
  return {
    group,
    version,
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    categories,
    subresources,
    verbs: ALL_VERBS,
  };
}

export const BUILTIN_RESOURCES: ResourceType[] = [
  rt("", "v1", "namespaces", "Namespace", false, ["ns"], ["status"]),
  rt("", "v1", "nodes", "Node", false, ["no"], ["status"]),
  rt("", "v1", "pods", "Pod", true, ["po"], ["status", "log", "eviction", "binding"], ["all"]),
  rt("", "v1", "events", "Event", true, ["ev"]),
  rt("", "v1", "configmaps", "ConfigMap", true, ["cm"]),
  rt("", "v1", "secrets", "Secret", true),
  rt("", "v1", "services", "Service", true, ["svc"], ["status"], ["all"]),
  rt("", "v1", "endpoints", "Endpoints", true, ["ep"]),
  rt("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, ["pvc"], ["status"]),
  rt("", "v1", "persistentvolumes", "PersistentVolume", false, ["pv"], ["status"]),
  rt("", "v1", "serviceaccounts", "ServiceAccount", true, ["sa"]),
  rt("apps", "v1", "deployments", "Deployment", true, ["deploy"], ["status", "scale"], ["all"]),
  rt("apps", "v1", "replicasets", "ReplicaSet", true, ["rs"], ["status", "scale"], ["all"]),
  rt("apps", "v1", "daemonsets", "DaemonSet", true, ["ds"], ["status"], ["all"]),
  rt("apps", "v1", "statefulsets", "StatefulSet", true, ["sts"], ["status", "scale"], ["all"]),
  rt("apps", "v1", "controllerrevisions", "ControllerRevision", true),
  rt("batch", "v1", "jobs", "Job", true, [], ["status"], ["all"]),
  rt("batch", "v1", "cronjobs", "CronJob", true, ["cj"], ["status"], ["all"]),
  rt(
    "autoscaling",
    "v2",
    "horizontalpodautoscalers",
    "HorizontalPodAutoscaler",
    true,
    ["hpa"],
    ["status"],
    ["all"],
  ),
  rt("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, ["pdb"], ["status"]),
  rt("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, ["sc"]),
  rt("coordination.k8s.io", "v1", "leases", "Lease", true),
  rt("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true),
  rt("events.k8s.io", "v1", "events", "Event", true, ["ev"]),
  rt("networking.k8s.io", "v1", "ingresses", "Ingress", true, ["ing"], ["status"]),
  rt("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, ["netpol"]),
  rt("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false),
  rt(
    "admissionregistration.k8s.io",
    "v1",
    "validatingwebhookconfigurations",
    "ValidatingWebhookConfiguration",
    false,
  ),
  rt(
    "admissionregistration.k8s.io",
    "v1",
    "mutatingwebhookconfigurations",
    "MutatingWebhookConfiguration",
    false,
  ),
  rt(
    "apiextensions.k8s.io",
    "v1",
    "customresourcedefinitions",
    "CustomResourceDefinition",
    false,
    ["crd", "crds"],
    ["status"],
  ),
];

export function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** A key unique per group+resource (versions share storage). */
export function resourceKey(r: Pick<ResourceType, "group" | "resource">): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

export class ResourceRegistry {
  private readonly byKey = new Map<string, ResourceType>();
  private readonly listeners: Array<() => void> = [];

  constructor(resources: ResourceType[] = BUILTIN_RESOURCES) {
    for (const r of resources) this.add(r);
  }

  add(r: ResourceType): void {
    this.byKey.set(`${r.group}/${r.version}/${r.resource}`, r);
    for (const l of this.listeners) l();
  }

  remove(group: string, resource: string): void {
    for (const [k, r] of this.byKey) {
      if (r.group === group && r.resource === resource) this.byKey.delete(k);
    }
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  all(): ResourceType[] {
    return [...this.byKey.values()];
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byKey.get(`${group}/${version}/${resource}`);
  }

  /** Find by kind and apiVersion, e.g. ("Pod", "v1"), ("Deployment", "apps/v1"). */
  byKind(kind: string, apiVersion?: string): ResourceType | undefined {
    for (const r of this.byKey.values()) {
      if (r.kind !== kind) continue;
      if (apiVersion === undefined || apiVersionOf(r) === apiVersion) return r;
    }
    return undefined;
  }

  /** Convenience for code inside the simulator: "pods", "deployments.apps", "events.events.k8s.io". */
  get(key: string): ResourceType {
    const dot = key.indexOf(".");
    const resource = dot < 0 ? key : key.slice(0, dot);
    const group = dot < 0 ? "" : key.slice(dot + 1);
    for (const r of this.byKey.values()) {
      if (r.resource === resource && r.group === group) return r;
    }
    throw new Error(`unknown resource ${key}`);
  }
}
