/**
 * The scenario timeline as a simulation `Controller`: each entry fires once, on the first tick
 * at or after `start + at`, and changes objects through the store exactly as a user's kubectl
 * would (apply, patch, delete, scale, cordon, or a new behaviour annotation).
 */
import { parseDuration } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";
import { NODE_BEHAVIOUR_ANNOTATION, POD_BEHAVIOUR_ANNOTATION } from "../behaviour.ts";
import type { SimCluster } from "../cluster.ts";
import type { Controller } from "../engine.ts";
import { mergePatch } from "../server/patch/merge-patch.ts";
import { strategicMergePatch } from "../server/patch/strategic.ts";
import type { ResourceType } from "../store/resources.ts";
import type { KubeObject } from "../store/types.ts";
import { applyOrder, parseManifests } from "./manifests.ts";
import type { ObjectTarget, TimelineAction } from "./schema.ts";

export interface FiredAction {
  at: number;
  action: TimelineAction;
}

export class ScenarioTimeline implements Controller {
  readonly name = "scenario-timeline";
  readonly fired: FiredAction[] = [];
  private readonly cluster: SimCluster;
  private readonly pending: { due: number; action: TimelineAction }[];

  constructor(cluster: SimCluster, start: number, actions: TimelineAction[]) {
    this.cluster = cluster;
    this.pending = actions
      .map((action) => ({ due: start + parseDuration(action.at), action }))
      .sort((a, b) => a.due - b.due);
  }

  tick(now: number): void {
    while (this.pending.length > 0 && (this.pending[0]?.due ?? Infinity) <= now) {
      const next = this.pending.shift();
      if (!next) break;
      // Record before running so a failing action is not retried every tick.
      this.fired.push({ at: now, action: next.action });
      runAction(this.cluster, next.action);
    }
  }
}

export function runAction(cluster: SimCluster, a: TimelineAction): void {
  if (a.apply !== undefined) cluster.apply(applyOrder(parseManifests(a.apply)));
  else if (a.patch) patchObject(cluster, a.patch.target, a.patch.type, a.patch.patch);
  else if (a.delete) {
    const { res, ns } = resolve(cluster, a.delete);
    cluster.store.delete(res, ns, a.delete.name);
  } else if (a.setBehaviour) {
    const annotations = { [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify(a.setBehaviour.behaviour) };
    const patch = { spec: { template: { metadata: { annotations } } } };
    patchObject(cluster, a.setBehaviour.target, "merge", patch);
  } else if (a.setNodeBehaviour) {
    const annotations = {
      [NODE_BEHAVIOUR_ANNOTATION]: JSON.stringify(a.setNodeBehaviour.behaviour),
    };
    patchObject(cluster, nodeTarget(a.setNodeBehaviour.node), "merge", {
      metadata: { annotations },
    });
  } else if (a.scale) {
    patchObject(cluster, a.scale.target, "merge", { spec: { replicas: a.scale.replicas } });
  } else if (a.cordon) {
    patchObject(cluster, nodeTarget(a.cordon.node), "merge", { spec: { unschedulable: true } });
  }
}

function nodeTarget(name: string): ObjectTarget {
  return { kind: "Node", name };
}

function patchObject(
  cluster: SimCluster,
  target: ObjectTarget,
  type: "strategic" | "merge",
  patch: Record<string, unknown>,
): KubeObject {
  const { res, ns } = resolve(cluster, target);
  const current = cluster.store.mustGet(res, ns, target.name);
  const patched = (type === "merge" ? mergePatch : strategicMergePatch)(current, patch);
  return cluster.store.update(res, patched as KubeObject);
}

function resolve(
  cluster: SimCluster,
  t: ObjectTarget,
): { res: ResourceType; ns: string | undefined } {
  const res = cluster.registry.byKind(t.kind, t.apiVersion);
  if (!res) throw new OpsloopError("invalid_input", `unknown kind ${t.kind} in scenario timeline`);
  return { res, ns: res.namespaced ? (t.namespace ?? "default") : undefined };
}
