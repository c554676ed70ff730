/**
 * ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps `spec.replicas` active
 * pods from the template, deleting the least useful first (unscheduled, pending, not ready,
 * newest) — ranking from controller.ActivePodsWithRanks — and reports status.
 */
import { isoTime } from "../../core/clock.ts";
import { matchesSelector } from "../../core/label-selector.ts";
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import {
  ChangeGate,
  controllerRef,
  isControlledBy,
  isPodActive,
  isPodAvailable,
  isPodReady,
  ownerRefTo,
  replicasOf,
  setCondition,
  writeStatus,
} from "./util.ts";

const COMPONENT = { component: "replicaset-controller" };
/** The real controller creates in slow-start batches capped by burstReplicas (500). */
const BURST = 500;

/** Pods to delete first sort first (controller.ActivePods Less). */
function deletionRank(a: KubeObject, b: KubeObject): number {
  const scheduled = (p: KubeObject) => (p.spec?.nodeName ? 1 : 0);
  const phase = (p: KubeObject) =>
    ({ Pending: 0, Unknown: 1, Running: 2 })[p.status?.phase as "Pending"] ?? 0;
  const ready = (p: KubeObject) => (isPodReady(p) ? 1 : 0);
  const restarts = (p: KubeObject) =>
    (p.status?.containerStatuses ?? []).reduce(
      (n: number, c: { restartCount?: number }) => n + (c.restartCount ?? 0),
      0,
    );
  return (
    scheduled(a) - scheduled(b) ||
    phase(a) - phase(b) ||
    ready(a) - ready(b) ||
    restarts(b) - restarts(a) ||
    Date.parse(b.metadata.creationTimestamp ?? "") - Date.parse(a.metadata.creationTimestamp ?? "")
  );
}

export function podFromTemplate(
  owner: KubeObject,
  template: KubeObject["spec"],
  extra: Partial<KubeObject["metadata"]> = {},
) {
  const meta = template?.metadata ?? {};
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [ownerRefTo(owner)],
      ...extra,
    },
    spec: structuredClone(template?.spec ?? {}),
  } as KubeObject;
}

export class ReplicaSetController implements Controller {
  readonly name = "replicaset-controller";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  private readonly gate = new ChangeGate();

  tick(now: number): void {
    const byOwner = new Map<string, KubeObject[]>();
    for (const p of this.ctx.store.list("pods")) {
      const uid = controllerRef(p)?.uid;
      if (uid) byOwner.set(uid, [...(byOwner.get(uid) ?? []), p]);
    }
    for (const rs of this.ctx.store.list("replicasets.apps")) {
      if (rs.metadata.deletionTimestamp) continue;
      const pods = byOwner.get(rs.metadata.uid as string) ?? [];
      // minReadySeconds makes availability a matter of time, so such sets are always synced.
      if (!this.gate.changed(rs.metadata.uid as string, [rs, ...pods]) && !rs.spec?.minReadySeconds)
        continue;
      this.sync(rs, now);
    }
  }

  private sync(rs: KubeObject, now: number): void {
    const { store, events } = this.ctx;
    const pods = store
      .list("pods", { namespace: rs.metadata.namespace })
      .filter((p) => isControlledBy(p, rs));
    const active = pods.filter(isPodActive);
    const diff = active.length - replicasOf(rs);
    let failure: string | undefined;
    if (diff < 0) {
      for (let i = 0; i < Math.min(-diff, BURST); i++) {
        try {
          const pod = store.create("pods", podFromTemplate(rs, rs.spec.template));
          events.record(
            rs,
            "Normal",
            "SuccessfulCreate",
            `Created pod: ${pod.metadata.name}`,
            COMPONENT,
          );
        } catch (e) {
          failure = (e as Error).message;
          events.record(rs, "Warning", "FailedCreate", `Error creating: ${failure}`, COMPONENT);
          break;
        }
      }
    } else if (diff > 0) {
      for (const pod of [...active].sort(deletionRank).slice(0, diff)) {
        store.delete("pods", pod.metadata.namespace, pod.metadata.name as string);
        events.record(
          rs,
          "Normal",
          "SuccessfulDelete",
          `Deleted pod: ${pod.metadata.name}`,
          COMPONENT,
        );
      }
    }
    this.writeStatus(
      rs,
      store
        .list("pods", { namespace: rs.metadata.namespace })
        .filter((p) => isControlledBy(p, rs) && isPodActive(p)),
      now,
      failure,
    );
  }

  private writeStatus(rs: KubeObject, active: KubeObject[], now: number, failure?: string): void {
    const minReady = rs.spec.minReadySeconds ?? 0;
    const templateLabels = rs.spec.template?.metadata?.labels ?? {};
    const status: Record<string, unknown> = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) =>
        matchesSelector({ matchLabels: templateLabels }, p.metadata.labels),
      ).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata.generation,
    };
    const conds = (rs.status?.conditions ?? []).filter(
      (c: { type: string }) => c.type !== "ReplicaFailure",
    );
    if (failure) {
      status.conditions = setCondition(
        conds,
        { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: failure },
        isoTime(now),
      );
    } else if (conds.length) status.conditions = conds;
    writeStatus(this.ctx, "replicasets.apps", rs, status);
  }
}
