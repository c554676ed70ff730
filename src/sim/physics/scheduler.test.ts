import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import { fitError } from "./scheduler.ts";
import { condition, eventsFor, getPod, node, pod } from "./test-fixtures.ts";

const gpuTaint = [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }];

describe("scheduler", () => {
  it("reports untolerated taints and insufficient cpu exactly as the framework formats them", () => {
    const c = new SimCluster();
    c.apply([
      node("gpu-1", { taints: gpuTaint }),
      node("node-1", { cpu: "2" }),
      node("node-2", { cpu: "2" }),
    ]);
    c.apply([pod("big", { resources: { requests: { cpu: "3" } } })]);
    c.step(2000);
    const msg =
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
    const p = getPod(c, "big");
    expect(p.spec.nodeName).toBeUndefined();
    expect(p.status.phase).toBe("Pending");
    expect(condition(p, "PodScheduled")).toMatchObject({
      status: "False",
      reason: "Unschedulable",
      message: msg,
    });
    const ev = eventsFor(c, "big").find((e) => e.reason === "FailedScheduling");
    expect(ev).toMatchObject({ type: "Warning", message: msg });
    c.step(30_000);
    const again = eventsFor(c, "big").filter((e) => e.reason === "FailedScheduling");
    expect(again).toHaveLength(1);
    expect(again[0]?.count).toBeGreaterThan(2);
    expect(again[0]?.count).toBeLessThan(10);
  });

  it("counts requests of pods already on the node and schedules when room appears", () => {
    const c = new SimCluster();
    c.apply([node("node-1", { cpu: "2", memory: "4Gi" })]);
    c.apply([pod("a", { resources: { requests: { cpu: "1500m", memory: "1Gi" } } })]);
    c.step(1000);
    c.apply([pod("b", { resources: { requests: { cpu: "1", memory: "1Gi" } } })]);
    c.step(2000);
    expect(condition(getPod(c, "b"), "PodScheduled")?.message).toBe(
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
    c.store.delete("pods", "default", "a");
    c.step(15_000);
    expect(getPod(c, "b").spec.nodeName).toBe("node-1");
    expect(eventsFor(c, "b").find((e) => e.reason === "Scheduled")?.message).toBe(
      "Successfully assigned default/b to node-1",
    );
  });

  it("honours nodeSelector, required node affinity, tolerations and cordoned nodes", () => {
    const c = new SimCluster();
    c.apply([
      node("gpu-1", { taints: gpuTaint, labels: { accelerator: "a100" } }),
      node("node-1", { labels: { disk: "ssd" } }),
      node("node-2"),
    ]);
    c.store.mutate("nodes", undefined, "node-2", (d) => {
      d.spec.unschedulable = true;
    });
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "accelerator", operator: "In", values: ["a100"] }] },
          ],
        },
      },
    };
    const toleration = [
      { key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" },
    ];
    c.apply([
      pod("ssd", {}, { nodeSelector: { disk: "ssd" } }),
      pod("train", {}, { affinity, tolerations: toleration }),
      pod("nvme", {}, { nodeSelector: { disk: "nvme" } }),
    ]);
    c.step(2000);
    expect(c.store.mustGet("nodes", undefined, "node-2").spec.taints).toEqual([
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
    ]);
    expect(getPod(c, "ssd").spec.nodeName).toBe("node-1");
    expect(getPod(c, "train").spec.nodeName).toBe("gpu-1");
    expect(condition(getPod(c, "nvme"), "PodScheduled")?.message).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it("leaves a pod whose PersistentVolumeClaim is not bound unschedulable", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), node("node-2")]);
    c.apply([
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "data", namespace: "default" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        status: { phase: "Pending" },
      },
      pod("db", {}, { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] }),
    ]);
    c.step(2000);
    expect(condition(getPod(c, "db"), "PodScheduled")?.message).toBe(
      "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });

  it("spreads replicas of one owner over nodes", () => {
    const c = new SimCluster();
    c.apply([
      node("node-1", { zone: "a" }),
      node("node-2", { zone: "b" }),
      node("node-3", { zone: "c" }),
    ]);
    // Without an owner, pods with the same labels count as one workload.
    c.apply(
      ["web-a", "web-b", "web-c"].map((n) => {
        const p = pod(n);
        return { ...p, metadata: { ...p.metadata, labels: { app: "web" } } };
      }),
    );
    c.step(2000);
    const nodes = ["web-a", "web-b", "web-c"].map((n) => getPod(c, n).spec.nodeName);
    expect(new Set(nodes).size).toBe(3);
  });

  it("says so when there are no nodes", () => {
    expect(fitError(0, undefined, [])).toBe("no nodes available to schedule pods");
  });

  it("keeps replicas with required pod anti-affinity apart and reports when they cannot be", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), node("node-2")]);
    const affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" },
        ],
      },
    };
    c.apply(
      ["db-0", "db-1", "db-2"].map((n) => {
        const p = pod(n, {}, { affinity });
        return { ...p, metadata: { ...p.metadata, labels: { app: "db" } } };
      }),
    );
    c.step(2000);
    const placed = ["db-0", "db-1"].map((n) => getPod(c, n).spec.nodeName);
    expect(new Set(placed).size).toBe(2);
    expect(condition(getPod(c, "db-2"), "PodScheduled")?.message).toBe(
      "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
  });

  it("enforces DoNotSchedule topology spread constraints over zones", () => {
    const c = new SimCluster();
    c.apply([
      node("node-a", { zone: "a" }),
      node("node-b", { zone: "b" }),
      node("node-c", { zone: "b", cpu: "64" }),
    ]);
    const tsc = [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app: "web" } },
      },
    ];
    const labelled = (n: string, spec: Record<string, unknown>) => {
      const p = pod(n, {}, spec);
      return { ...p, metadata: { ...p.metadata, labels: { app: "web" } } };
    };
    // Two replicas already in zone b: the next must go to zone a whatever the free room says.
    c.apply([labelled("web-0", { nodeName: "node-b" }), labelled("web-1", { nodeName: "node-c" })]);
    c.apply([labelled("web-2", { topologySpreadConstraints: tsc })]);
    c.step(2000);
    expect(getPod(c, "web-2").spec.nodeName).toBe("node-a");
    c.store.mutate("nodes", undefined, "node-a", (d) => {
      d.spec.unschedulable = true;
    });
    c.apply([labelled("web-3", { topologySpreadConstraints: tsc })]);
    c.step(2000);
    expect(condition(getPod(c, "web-3"), "PodScheduled")?.message).toBe(
      "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match pod topology spread constraints. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
  });
});
