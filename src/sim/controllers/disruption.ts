/**
 * Disruption controller (pkg/controller/disruption/disruption.go): PodDisruptionBudget status.
 * The API server's eviction handler records evicted pods in status.disruptedPods and lowers
 * disruptionsAllowed; recomputing every tick lets a drain continue once pods are healthy again.
 */
import { isoTime } from "../../core/clock.ts";
import { matchesSelector } from "../../core/label-selector.ts";
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import {
  controllerRef,
  isPodReady,
  type Json,
  scaledValue,
  setCondition,
  writeStatus,
} from "./util.ts";

/** An eviction not seen as a deletion within this long is forgotten (DeletionTimeout). */
const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

const SCALABLE: Record<string, string> = {
  ReplicaSet: "replicasets.apps",
  Deployment: "deployments.apps",
  StatefulSet: "statefulsets.apps",
  ReplicationController: "replicationcontrollers",
};

export class DisruptionController implements Controller {
  readonly name = "disruption-controller";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(now: number): void {
    for (const pdb of this.ctx.store.list("poddisruptionbudgets.policy")) this.sync(pdb, now);
  }

  /** getExpectedScale: the sum of the replicas of the pods' scalable controllers (RS → Deployment). */
  private expectedScale(pods: KubeObject[]): number {
    const seen = new Map<string, number>();
    for (const pod of pods) {
      const ref = controllerRef(pod);
      const ns = pod.metadata.namespace;
      if (!ref || !SCALABLE[ref.kind]) {
        seen.set(`pod/${pod.metadata.uid}`, 1);
        continue;
      }
      let owner = this.ctx.store.get(SCALABLE[ref.kind] as string, ns, ref.name);
      if (ref.kind === "ReplicaSet" && owner) {
        const up = controllerRef(owner);
        const d =
          up?.kind === "Deployment"
            ? this.ctx.store.get("deployments.apps", ns, up.name)
            : undefined;
        if (d) owner = d;
      }
      if (owner) seen.set(owner.metadata.uid as string, owner.spec?.replicas ?? 1);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  }

  private sync(pdb: KubeObject, now: number): void {
    const pods = this.ctx.store
      .list("pods", { namespace: pdb.metadata.namespace })
      .filter((p) => matchesSelector(pdb.spec?.selector, p.metadata.labels));
    const disrupted: Record<string, string> = {};
    for (const [name, at] of Object.entries(
      (pdb.status?.disruptedPods ?? {}) as Record<string, string>,
    )) {
      const pod = pods.find((p) => p.metadata.name === name);
      if (pod && !pod.metadata.deletionTimestamp && Date.parse(at) + DELETION_TIMEOUT_MS > now)
        disrupted[name] = at;
    }
    const healthy = pods.filter(
      (p) =>
        !p.metadata.deletionTimestamp && !disrupted[p.metadata.name as string] && isPodReady(p),
    ).length;
    let expected: number;
    let desired: number;
    const { minAvailable, maxUnavailable } = pdb.spec ?? {};
    if (maxUnavailable !== undefined) {
      expected = this.expectedScale(pods);
      desired = Math.max(0, expected - scaledValue(maxUnavailable, expected, true));
    } else if (typeof minAvailable === "number" || /^\d+$/.test(String(minAvailable ?? ""))) {
      expected = pods.length;
      desired = Number(minAvailable);
    } else if (minAvailable !== undefined) {
      expected = this.expectedScale(pods);
      desired = scaledValue(minAvailable, expected, true);
    } else {
      expected = pods.length;
      desired = 0;
    }
    const allowed = Math.max(0, healthy - desired);
    const cond = {
      type: "DisruptionAllowed",
      status: allowed > 0 ? "True" : "False",
      reason: allowed > 0 ? "SufficientPods" : "InsufficientPods",
      message: "",
      observedGeneration: pdb.metadata.generation,
    };
    const status: Json = {
      observedGeneration: pdb.metadata.generation,
      ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected,
      conditions: setCondition(pdb.status?.conditions, cond, isoTime(now)),
    };
    writeStatus(this.ctx, "poddisruptionbudgets.policy", pdb, status);
  }
}
