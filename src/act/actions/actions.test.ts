/**
 * The node and resource actions against the simulator's API server: each change, its check and
 * its rollback (the executor's e2e tests cover the Deployment and drain actions).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock.ts";
import type { ObjectRef } from "../../core/types.ts";
import { type ActHarness, startActHarness } from "../e2e/harness.ts";
import { actionNamed } from "./index.ts";
import { kubeClients } from "./kube.ts";
import type { ActionContext, AnyAction } from "./types.ts";

let h: ActHarness;
let ctx: ActionContext;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
  ctx = {
    kc: h.kc,
    kube: kubeClients(h.kc),
    clock: h.cluster.clock,
    wall: systemClock,
    sleep: h.advance,
  };
});
afterAll(async () => h.close());

async function roundTrip(action: AnyAction, target: ObjectRef, raw: unknown) {
  const params = action.params.parse(raw);
  const snap = await action.snapshot(ctx, target, params);
  const dry = await action.change(ctx, target, params, snap, true);
  const dryCheck = await action.check(ctx, target, params, snap);
  const applied = await action.change(ctx, target, params, snap, false);
  const check = await action.check(ctx, target, params, snap);
  return { params, snap, dry, dryCheck, applied, check };
}

const node = { kind: "Node", name: "node-a-1" };
const web = { kind: "Deployment", namespace: "shop", name: "web" };

describe("node and resource actions", () => {
  it("taint-node adds a NoSchedule taint and rollback restores the taints", async () => {
    const a = actionNamed("taint-node");
    const r = await roundTrip(a, node, { key: "opsloop.dev/isolate", value: "yes" });
    expect(r.dryCheck.done).toBe(false);
    expect(r.check).toMatchObject({ done: true });
    expect(h.cluster.store.mustGet("nodes", undefined, "node-a-1").spec.taints).toContainEqual(
      expect.objectContaining({ key: "opsloop.dev/isolate", effect: "NoSchedule" }),
    );
    await a.rollback(ctx, node, r.params, r.snap);
    expect(h.cluster.store.mustGet("nodes", undefined, "node-a-1").spec.taints ?? []).toEqual(
      (r.snap as { taints: unknown[] }).taints,
    );
  });

  it("set-node-condition writes nodes/status and rollback removes a condition that was not there", async () => {
    const a = actionNamed("set-node-condition");
    const r = await roundTrip(a, node, {
      type: "opsloop.dev/PredictedFailure",
      reason: "DiskDrift",
      message: "disk latency drifts",
    });
    expect(r.check).toMatchObject({ done: true, message: "opsloop.dev/PredictedFailure=True" });
    const conds = () =>
      h.cluster.store.mustGet("nodes", undefined, "node-a-1").status.conditions as {
        type: string;
      }[];
    expect(conds().find((c) => c.type === "opsloop.dev/PredictedFailure")).toMatchObject({
      status: "True",
      reason: "DiskDrift",
    });
    await a.rollback(ctx, node, r.params, r.snap);
    expect(conds().find((c) => c.type === "opsloop.dev/PredictedFailure")).toBeUndefined();
    expect(conds().find((c) => c.type === "Ready")).toBeDefined();
  });

  it("apply-hpa creates an autoscaling/v2 HPA by server-side apply; rollback deletes it", async () => {
    const a = actionNamed("apply-hpa");
    const r = await roundTrip(a, web, { minReplicas: 3, maxReplicas: 8 });
    expect(r.snap).toBeNull();
    expect(r.dryCheck.done).toBe(false);
    expect(r.check.done).toBe(true);
    const hpa = h.cluster.store.mustGet("horizontalpodautoscalers.autoscaling", "shop", "web");
    expect(hpa.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 8,
      scaleTargetRef: { kind: "Deployment", name: "web" },
    });
    expect(await a.rollback(ctx, web, r.params, r.snap)).toMatch(
      /^deleted HorizontalPodAutoscaler web/,
    );
    expect(
      h.cluster.store.get("horizontalpodautoscalers.autoscaling", "shop", "web"),
    ).toBeUndefined();
  });

  it("apply-manifest updates an existing object and rollback restores it", async () => {
    const a = actionNamed("apply-manifest");
    h.cluster.apply([
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "web-tuning", namespace: "shop" },
        data: { workers: "4" },
      },
    ]);
    const target = { kind: "ConfigMap", namespace: "shop", name: "web-tuning" };
    const manifest = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "web-tuning" },
      data: { workers: "8" },
    };
    const r = await roundTrip(a, target, { manifest });
    expect(h.cluster.store.mustGet("configmaps", "shop", "web-tuning").data).toEqual({
      workers: "8",
    });
    await a.rollback(ctx, target, r.params, r.snap);
    expect(h.cluster.store.mustGet("configmaps", "shop", "web-tuning").data).toEqual({
      workers: "4",
    });
  });

  it("cordon then uncordon by rollback", async () => {
    const a = actionNamed("cordon");
    const r = await roundTrip(a, node, {});
    expect(r.check).toMatchObject({ done: true });
    await a.rollback(ctx, node, r.params, r.snap);
    expect(h.cluster.store.mustGet("nodes", undefined, "node-a-1").spec.unschedulable).toBeFalsy();
  });
});
