/**
 * Where each kind keeps its pod template, so one set of pod checks serves every workload kind
 * and every fix is a strategic-merge patch at the right depth (containers merge by name).
 */
import type { V1PodSpec } from "@kubernetes/client-node";
import type { ObjectRef } from "../core/types.ts";
import type { ManifestDoc } from "./types.ts";

export interface PodTemplate {
  doc: ManifestDoc;
  ref: ObjectRef;
  spec: V1PodSpec;
  labels: Record<string, string>;
  /** Desired replicas for Deployment/StatefulSet/ReplicaSet (default 1); undefined otherwise. */
  replicas?: number;
  /** Path of the pod spec inside the object, for patches. */
  path: string[];
}

const PATHS: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
  PodTemplate: ["template", "spec"],
};
const SCALED = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

export function refOfDoc(doc: ManifestDoc): ObjectRef {
  const ns = namespaceOf(doc);
  const kind = doc.obj.kind ?? "";
  return {
    kind,
    ...(CLUSTER_SCOPED.has(kind) ? {} : { namespace: ns }),
    name: doc.obj.metadata?.name ?? "",
  };
}

/** Namespaced objects without metadata.namespace land in the namespace of the kubectl context; "default" is assumed. */
export function namespaceOf(doc: ManifestDoc): string {
  return doc.obj.metadata?.namespace ?? "default";
}

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "ClusterRole",
  "ClusterRoleBinding",
  "PersistentVolume",
  "StorageClass",
  "CustomResourceDefinition",
  "PriorityClass",
  "IngressClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
]);

function at(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const k of path) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}

export function podTemplate(doc: ManifestDoc): PodTemplate | undefined {
  const kind = doc.obj.kind ?? "";
  const path = PATHS[kind];
  if (!path) return undefined;
  const spec = at(doc.obj, path) as V1PodSpec | undefined;
  if (!spec || !Array.isArray(spec.containers)) return undefined;
  const meta = at(doc.obj, [...path.slice(0, -1), "metadata"]) as
    | { labels?: Record<string, string> }
    | undefined;
  const replicas = doc.obj.spec?.replicas;
  return {
    doc,
    ref: refOfDoc(doc),
    spec,
    labels: (kind === "Pod" ? doc.obj.metadata?.labels : meta?.labels) ?? {},
    ...(SCALED.has(kind) ? { replicas: typeof replicas === "number" ? replicas : 1 } : {}),
    path,
  };
}

/** Wraps a pod-spec patch in the object's own nesting: `{spec:{template:{spec:…}}}` for a Deployment. */
export function templatePatch(t: PodTemplate, podSpecPatch: object): object {
  let out: object = podSpecPatch;
  for (const k of [...t.path].reverse()) out = { [k]: out };
  return out;
}
