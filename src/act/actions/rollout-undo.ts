/**
 * `kubectl rollout undo` ported from kubectl's DeploymentRollbacker
 * (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go). There is no server-side
 * rollback for apps/v1: pick the ReplicaSet owned by the Deployment (controller uid) with the
 * previous `deployment.kubernetes.io/revision` (or a given one), refuse when paused, skip when
 * the templates already match ignoring `pod-template-hash`, then JSON-patch `/spec/template`
 * and `/metadata/annotations` as kubectl does.
 */
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from "@kubernetes/client-node";
import { z } from "zod";
import { OpsloopError } from "../../core/errors.ts";
import type { ObjectRef } from "../../core/types.ts";
import { canonicalJson } from "../audit.ts";
import { readDeployment, rolloutCheck } from "./deployment.ts";
import { FIELD_MANAGER, jsonPatch, plain } from "./kube.ts";
import { type ActionContext, DRY, defineAction, ns } from "./types.ts";

export const REVISION = "deployment.kubernetes.io/revision";
const HASH_LABEL = "pod-template-hash";
/** Deployment annotations kubectl keeps instead of copying from the ReplicaSet. */
const SKIP = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION,
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "deprecated.deployment.rollback.to",
]);

function withoutHash(t: V1PodTemplateSpec | undefined): V1PodTemplateSpec {
  const copy = plain(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[HASH_LABEL];
  return copy;
}

/** The ReplicaSet to roll back to: `toRevision`, or the second-highest revision when 0. */
export function pickRevision(d: V1Deployment, sets: V1ReplicaSet[], toRevision = 0): V1ReplicaSet {
  const uid = d.metadata?.uid;
  const owned = sets.filter((rs) =>
    (rs.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === uid),
  );
  let latest: [number, V1ReplicaSet] | undefined;
  let previous: [number, V1ReplicaSet] | undefined;
  for (const rs of owned) {
    const v = Number(rs.metadata?.annotations?.[REVISION]);
    if (!Number.isInteger(v)) continue;
    if (toRevision > 0) {
      if (v === toRevision) return rs;
      continue;
    }
    if (!latest || latest[0] < v) {
      previous = latest;
      latest = [v, rs];
    } else if (!previous || previous[0] < v) previous = [v, rs];
  }
  if (toRevision > 0)
    throw new OpsloopError(
      "not_found",
      `unable to find specified revision ${toRevision} in history`,
    );
  if (!previous)
    throw new OpsloopError(
      "not_found",
      `no rollout history found for deployment "${d.metadata?.name}"`,
    );
  return previous[1];
}

/** The JSON patch kubectl sends; undefined when the revision already matches ("skipped rollback"). */
export function undoPatch(d: V1Deployment, rs: V1ReplicaSet): object[] | undefined {
  if (d.spec?.paused)
    throw new OpsloopError(
      "conflict",
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
    );
  const template = withoutHash(rs.spec?.template);
  if (canonicalJson(template) === canonicalJson(withoutHash(d.spec?.template))) return undefined;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {}))
    if (SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {}))
    if (!SKIP.has(k)) annotations[k] = v;
  return [
    { op: "replace", path: "/spec/template", value: template },
    { op: "replace", path: "/metadata/annotations", value: annotations },
  ];
}

const sendPatch = (ctx: ActionContext, t: ObjectRef, body: object[], dryRun: boolean) =>
  ctx.kube.apps.patchNamespacedDeployment(
    { namespace: ns(t), name: t.name, body, dryRun: DRY(dryRun), fieldManager: FIELD_MANAGER },
    jsonPatch(),
  );

interface UndoSnapshot {
  template: V1PodTemplateSpec;
  annotations: Record<string, string>;
}

export const rolloutUndo = defineAction({
  name: "rollout-undo",
  kinds: ["Deployment"],
  params: z.object({ toRevision: z.number().int().min(0).default(0) }).strict(),
  reversible: true,
  async blast(ctx, t) {
    const d = await readDeployment(ctx, t);
    const replicas = d.spec?.replicas ?? 1;
    const mu = d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? "25%";
    const down = typeof mu === "number" ? mu : Math.floor((replicas * Number.parseFloat(mu)) / 100);
    return { pods: replicas, nodes: 0, workloadUnavailableRatio: replicas ? down / replicas : 0 };
  },
  async snapshot(ctx, t): Promise<UndoSnapshot> {
    const d = await readDeployment(ctx, t);
    return {
      template: withoutHash(d.spec?.template),
      annotations: plain(d.metadata?.annotations ?? {}),
    };
  },
  async change(ctx, t, p, _s, dryRun) {
    const d = await readDeployment(ctx, t);
    const sets = await ctx.kube.apps.listNamespacedReplicaSet({ namespace: ns(t) });
    const rs = pickRevision(d, sets.items, p.toRevision);
    const revision = rs.metadata?.annotations?.[REVISION];
    const body = undoPatch(d, rs);
    if (!body) return `skipped rollback (current template already matches revision ${revision})`;
    await sendPatch(ctx, t, body, dryRun);
    return `rolled back to revision ${revision}`;
  },
  check: (ctx, t) => rolloutCheck(ctx, t),
  async rollback(ctx, t, _p, snap) {
    const s = snap as UndoSnapshot;
    const body = [
      { op: "replace", path: "/spec/template", value: s.template },
      { op: "replace", path: "/metadata/annotations", value: s.annotations },
    ];
    await sendPatch(ctx, t, body, false);
    return "restored the template from before the undo";
  },
});
