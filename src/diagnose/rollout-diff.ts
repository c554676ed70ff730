/**
 * What a Deployment's latest rollout changed: the pod templates of the ReplicaSet of the current
 * revision and of the previous one (`deployment.kubernetes.io/revision`, deployment/util), as
 * human-readable differences. Env values are never shown (they may be credentials), only names.
 * The `pod-template-hash` label is the controller's, not the user's, and is ignored.
 */
import type {
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1PodTemplateSpec,
  V1ReplicaSet,
} from "@kubernetes/client-node";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";

const REVISION = "deployment.kubernetes.io/revision";

export interface RolloutDiff {
  deployment: string;
  namespace: string;
  revision: number;
  previousRevision: number;
  /** e.g. "image of container api changed ghcr.io/acme/api:2.4.0 → ghcr.io/acme/api:2.5.0". */
  changes: string[];
  /** Ready pods the previous revision still has (evidence that it works). */
  previousReady: number;
  currentReplicaSet: string;
}

export function revisionOf(rs: { metadata?: { annotations?: Record<string, string> } }): number {
  return Number(rs.metadata?.annotations?.[REVISION] ?? 0) || 0;
}

export function replicaSetsOf(snap: ClusterSnapshot, dep: V1Deployment): V1ReplicaSet[] {
  const ns = dep.metadata?.namespace;
  return snap.replicaSets.filter(
    (rs) =>
      rs.metadata?.namespace === ns &&
      rs.metadata?.ownerReferences?.some(
        (o) =>
          o.kind === "Deployment" &&
          (o.uid === dep.metadata?.uid || (!o.uid && o.name === dep.metadata?.name)),
      ),
  );
}

const show = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));

function envChanges(name: string, a: V1EnvVar[] = [], b: V1EnvVar[] = []): string[] {
  const out: string[] = [];
  const before = new Map(a.map((e) => [e.name, JSON.stringify(e)]));
  const after = new Map(b.map((e) => [e.name, JSON.stringify(e)]));
  for (const [k, v] of after) {
    if (!before.has(k)) out.push(`env ${k} added to container ${name}`);
    else if (before.get(k) !== v) out.push(`env ${k} of container ${name} changed`);
  }
  for (const k of before.keys())
    if (!after.has(k)) out.push(`env ${k} removed from container ${name}`);
  return out;
}

function containerChanges(a: V1Container | undefined, b: V1Container | undefined): string[] {
  if (!a && b) return [`container ${b.name} added (image ${b.image})`];
  if (a && !b) return [`container ${a.name} removed`];
  if (!a || !b) return [];
  const out: string[] = [];
  if (a.image !== b.image) out.push(`image of container ${b.name} changed ${a.image} → ${b.image}`);
  for (const field of ["command", "args"] as const) {
    if (JSON.stringify(a[field]) !== JSON.stringify(b[field]))
      out.push(`${field} of container ${b.name} changed`);
  }
  out.push(...envChanges(b.name, a.env, b.env));
  if (JSON.stringify(a.envFrom) !== JSON.stringify(b.envFrom))
    out.push(`envFrom of container ${b.name} changed`);
  if (JSON.stringify(a.resources) !== JSON.stringify(b.resources))
    out.push(
      `resources of container ${b.name} changed ${show(a.resources)} → ${show(b.resources)}`,
    );
  for (const p of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
    if (JSON.stringify(a[p]) !== JSON.stringify(b[p]))
      out.push(`${p} of container ${b.name} changed`);
  }
  if (JSON.stringify(a.volumeMounts) !== JSON.stringify(b.volumeMounts))
    out.push(`volumeMounts of container ${b.name} changed`);
  return out;
}

function byName(cs: V1Container[] = []): Map<string, V1Container> {
  return new Map(cs.map((c) => [c.name, c]));
}

/** Differences between two pod templates, in the order a reviewer reads them. */
export function templateChanges(a: V1PodTemplateSpec, b: V1PodTemplateSpec): string[] {
  const out: string[] = [];
  for (const kind of ["initContainers", "containers"] as const) {
    const before = byName(a.spec?.[kind]);
    const after = byName(b.spec?.[kind]);
    for (const name of new Set([...before.keys(), ...after.keys()]))
      out.push(...containerChanges(before.get(name), after.get(name)));
  }
  const spec = (t: V1PodTemplateSpec, f: "volumes" | "nodeSelector" | "tolerations" | "affinity") =>
    JSON.stringify(t.spec?.[f]);
  for (const f of ["volumes", "nodeSelector", "tolerations", "affinity"] as const)
    if (spec(a, f) !== spec(b, f)) out.push(`${f} changed`);
  if (a.spec?.serviceAccountName !== b.spec?.serviceAccountName)
    out.push(
      `serviceAccountName changed ${show(a.spec?.serviceAccountName)} → ${show(b.spec?.serviceAccountName)}`,
    );
  const labels = (t: V1PodTemplateSpec) => {
    const { "pod-template-hash": _, ...rest } = t.metadata?.labels ?? {};
    return JSON.stringify(rest);
  };
  if (labels(a) !== labels(b)) out.push("pod labels changed");
  return out;
}

/** The last rollout of a Deployment, or undefined when it has only one revision left. */
export function lastRollout(snap: ClusterSnapshot, dep: V1Deployment): RolloutDiff | undefined {
  const sets = replicaSetsOf(snap, dep).sort((a, b) => revisionOf(b) - revisionOf(a));
  const depRevision = revisionOf(dep);
  const current = sets.find((rs) => revisionOf(rs) === depRevision) ?? sets[0];
  const previous = sets.find((rs) => current && revisionOf(rs) < revisionOf(current));
  if (!current?.spec?.template || !previous?.spec?.template) return undefined;
  return {
    deployment: dep.metadata?.name ?? "",
    namespace: dep.metadata?.namespace ?? "",
    revision: revisionOf(current),
    previousRevision: revisionOf(previous),
    changes: templateChanges(previous.spec.template, current.spec.template),
    previousReady: previous.status?.readyReplicas ?? 0,
    currentReplicaSet: current.metadata?.name ?? "",
  };
}

/** "revision 2 (image of container api changed a → b; command of container api changed)". */
export function describeRollout(d: RolloutDiff): string {
  const what = d.changes.length ? d.changes.join("; ") : "no pod template change";
  return `revision ${d.revision} of Deployment ${d.namespace}/${d.deployment} (${what})`;
}
