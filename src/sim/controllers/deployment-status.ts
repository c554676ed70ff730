/**
 * Deployment status and conditions (pkg/controller/deployment/sync.go calculateStatus and
 * progress.go syncRolloutStatus): Available, Progressing with its deadline, ReplicaFailure.
 */
import { isoTime } from "../../core/clock.ts";
import type { KubeObject } from "../store/types.ts";
import { maxUnavailable } from "./deployment-util.ts";
import { type Json, replicasOf } from "./util.ts";

export type Cond = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  [k: string]: Json;
};

/** util.SetDeploymentCondition: same status and reason is a no-op; same status keeps the transition time. */
export function setDeploymentCondition(conds: Cond[], c: Cond): Cond[] {
  const cur = conds.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return conds;
  const next =
    cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  return [...conds.filter((x) => x.type !== c.type), next];
}

export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: number,
): Cond {
  const t = isoTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

const sum = (rss: KubeObject[], f: (rs: KubeObject) => number) =>
  rss.reduce((n, rs) => n + f(rs), 0);

export function calculateStatus(
  d: KubeObject,
  all: KubeObject[],
  newRS: KubeObject | undefined,
  conds: Cond[],
  now: number,
): Json {
  const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
  const status = {
    observedGeneration: d.metadata.generation,
    replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum(all, (rs) => rs.status?.replicas ?? 0) - available),
    ...(d.status?.collisionCount ? { collisionCount: d.status.collisionCount } : {}),
    conditions: conds,
  };
  // The real field is the desired count minus available, floored at zero.
  status.unavailableReplicas = Math.max(0, replicasOf(d) - available);
  const minAvailable = available >= replicasOf(d) - maxUnavailable(d);
  status.conditions = setDeploymentCondition(
    status.conditions,
    minAvailable
      ? newCondition(
          "Available",
          "True",
          "MinimumReplicasAvailable",
          "Deployment has minimum availability.",
          now,
        )
      : newCondition(
          "Available",
          "False",
          "MinimumReplicasUnavailable",
          "Deployment does not have minimum availability.",
          now,
        ),
  );
  return status;
}

export function isComplete(d: KubeObject, s: Json): boolean {
  const r = replicasOf(d);
  return (
    s.updatedReplicas === r &&
    s.replicas === r &&
    s.availableReplicas === r &&
    s.observedGeneration >= (d.metadata.generation ?? 0)
  );
}

function isProgressing(d: KubeObject, s: Json): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = s.replicas - s.updatedReplicas;
  return (
    s.updatedReplicas > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    s.readyReplicas > (old.readyReplicas ?? 0) ||
    s.availableReplicas > (old.availableReplicas ?? 0)
  );
}

function timedOut(d: KubeObject, conds: Cond[], now: number): boolean {
  const c = conds.find((x) => x.type === "Progressing");
  if (!c) return false;
  if (c.reason === "ProgressDeadlineExceeded") return true;
  if (c.reason === "NewReplicaSetAvailable") return false;
  return Date.parse(c.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 < now;
}

/** progress.go syncRolloutStatus, returning the status to write. */
export function rolloutStatus(
  d: KubeObject,
  all: KubeObject[],
  newRS: KubeObject | undefined,
  conds: Cond[],
  now: number,
): Json {
  const s = calculateStatus(d, all, newRS, conds, now);
  const cur = (s.conditions as Cond[]).find((c) => c.type === "Progressing");
  const completeBefore =
    s.replicas === s.updatedReplicas && cur?.reason === "NewReplicaSetAvailable";
  const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  const hasDeadline =
    d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds < 2147483647;
  if (hasDeadline && !completeBefore) {
    if (isComplete(d, s)) {
      s.conditions = setDeploymentCondition(
        s.conditions,
        newCondition(
          "Progressing",
          "True",
          "NewReplicaSetAvailable",
          `${what} has successfully progressed.`,
          now,
        ),
      );
    } else if (isProgressing(d, s)) {
      const c = newCondition(
        "Progressing",
        "True",
        "ReplicaSetUpdated",
        `${what} is progressing.`,
        now,
      );
      if (cur?.status === "True") c.lastTransitionTime = cur.lastTransitionTime;
      s.conditions = [...(s.conditions as Cond[]).filter((x) => x.type !== "Progressing"), c];
    } else if (timedOut(d, s.conditions, now)) {
      s.conditions = setDeploymentCondition(
        s.conditions,
        newCondition(
          "Progressing",
          "False",
          "ProgressDeadlineExceeded",
          `${what} has timed out progressing.`,
          now,
        ),
      );
    }
  }
  const failure = all
    .map((rs) =>
      (rs.status?.conditions ?? []).find(
        (c: Cond) => c.type === "ReplicaFailure" && c.status === "True",
      ),
    )
    .find(Boolean);
  s.conditions = failure
    ? setDeploymentCondition(
        s.conditions,
        newCondition("ReplicaFailure", "True", failure.reason, failure.message, now),
      )
    : (s.conditions as Cond[]).filter((c) => c.type !== "ReplicaFailure");
  return s;
}

/** progress.go checkPausedConditions. */
export function pausedConditions(d: KubeObject, conds: Cond[], now: number): Cond[] {
  const cur = conds.find((c) => c.type === "Progressing");
  if (!cur || cur.reason === "ProgressDeadlineExceeded") return conds;
  const paused = cur.reason === "DeploymentPaused";
  if (d.spec.paused && !paused)
    return setDeploymentCondition(
      conds,
      newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now),
    );
  if (!d.spec.paused && paused)
    return setDeploymentCondition(
      conds,
      newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now),
    );
  return conds;
}
