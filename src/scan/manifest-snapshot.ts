/**
 * The manifests of a scan as a ClusterSnapshot, so diagnose's pure spec checks (HPA requests,
 * ConfigMap/Secret references) run on files exactly as they run on a live cluster. Objects
 * without a namespace are put in "default", where `kubectl apply` would put them.
 */
import { type ClusterSnapshot, emptySnapshot } from "../sources/kubernetes/snapshot.ts";
import { namespaceOf } from "./templates.ts";
import type { ManifestDoc, ManifestObject } from "./types.ts";

type ListKey = Exclude<
  keyof ClusterSnapshot,
  "configMaps" | "secrets" | "unsynced" | "ingressClasses"
>;

const LISTS: Record<string, ListKey> = {
  Pod: "pods",
  ReplicaSet: "replicaSets",
  Deployment: "deployments",
  StatefulSet: "statefulSets",
  DaemonSet: "daemonSets",
  Job: "jobs",
  CronJob: "cronJobs",
  Service: "services",
  Ingress: "ingresses",
  NetworkPolicy: "networkPolicies",
  PersistentVolumeClaim: "persistentVolumeClaims",
  HorizontalPodAutoscaler: "horizontalPodAutoscalers",
  PodDisruptionBudget: "podDisruptionBudgets",
};

function keysOf(o: ManifestObject): string[] {
  // stringData is how most hand-written Secrets carry their keys; the API server folds it into data.
  const maps = [o.data, o.binaryData, o.stringData] as (Record<string, unknown> | undefined)[];
  return [...new Set(maps.flatMap((m) => Object.keys(m ?? {})))].sort();
}

export function manifestSnapshot(docs: ManifestDoc[]): ClusterSnapshot {
  const snap = emptySnapshot();
  for (const doc of docs) {
    const ns = namespaceOf(doc);
    const obj = { ...doc.obj, metadata: { ...doc.obj.metadata, namespace: ns } };
    if (obj.kind === "ConfigMap" || obj.kind === "Secret") {
      const ref = { namespace: ns, name: obj.metadata.name ?? "", keys: keysOf(obj) };
      (obj.kind === "ConfigMap" ? snap.configMaps : snap.secrets).push(ref);
      continue;
    }
    const key = LISTS[obj.kind ?? ""];
    if (key) (snap[key] as unknown[]).push(obj);
  }
  return snap;
}
