import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import { condition, eventsFor, getPod, node, pod } from "./test-fixtures.ts";

function nodeEvents(c: SimCluster, name: string) {
  return eventsFor(c, name).filter((e) => e.reason !== "Scheduled");
}

describe("node models", () => {
  it("fills the node status on first sight, heartbeats and renews its lease", () => {
    const c = new SimCluster();
    c.apply([node("node-1")]);
    c.step(1000);
    const n = c.store.mustGet("nodes", undefined, "node-1");
    expect(condition(n, "Ready")).toMatchObject({
      status: "True",
      reason: "KubeletReady",
      message: "kubelet is posting ready status",
    });
    expect(condition(n, "DiskPressure")).toMatchObject({
      status: "False",
      reason: "KubeletHasNoDiskPressure",
    });
    expect(condition(n, "MemoryPressure")?.reason).toBe("KubeletHasSufficientMemory");
    expect(condition(n, "PIDPressure")?.reason).toBe("KubeletHasSufficientPID");
    expect(n.status.nodeInfo.kubeletVersion).toMatch(/^v1\.32\./);
    expect(n.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.7\./);
    expect(n.status.allocatable.cpu).toBe("4");
    expect(n.spec.podCIDR).toBe("10.244.0.0/24");
    const lease1 = c.store.mustGet("leases.coordination.k8s.io", "kube-node-lease", "node-1").spec
      .renewTime;
    c.step(15_000);
    const lease2 = c.store.mustGet("leases.coordination.k8s.io", "kube-node-lease", "node-1").spec
      .renewTime;
    expect(lease2).not.toBe(lease1);
    const hb = condition(c.store.mustGet("nodes", undefined, "node-1"), "Ready") as {
      lastHeartbeatTime?: string;
    };
    expect(Date.parse(hb.lastHeartbeatTime as string)).toBeGreaterThan(Date.parse(lease1));
  });

  it("fills the disk into DiskPressure: taints the node and evicts BestEffort pods first", () => {
    const c = new SimCluster();
    const disk = "disk: {capacityGi: 100, usedGi: 85, fillGiPerHour: 60}";
    c.apply([node("node-1", { annotations: { "sim.opsloop.dev/node": disk } })]);
    const guaranteed = { resources: { limits: { cpu: "100m", memory: "128Mi" } } };
    c.apply([pod("best-effort"), pod("guaranteed", guaranteed)]);
    c.step(4 * 60_000);
    expect(condition(c.store.mustGet("nodes", undefined, "node-1"), "DiskPressure")?.status).toBe(
      "False",
    );
    for (let i = 0; i < 120 && getPod(c, "best-effort").status.phase !== "Failed"; i++)
      c.step(1000);
    const n = c.store.mustGet("nodes", undefined, "node-1");
    expect(condition(n, "DiskPressure")).toMatchObject({
      status: "True",
      reason: "KubeletHasDiskPressure",
      message: "kubelet has disk pressure",
    });
    expect(n.spec.taints).toContainEqual({
      key: "node.kubernetes.io/disk-pressure",
      effect: "NoSchedule",
    });
    expect(nodeEvents(c, "node-1").map((e) => e.reason)).toContain("NodeHasDiskPressure");
    expect(nodeEvents(c, "node-1").find((e) => e.reason === "EvictionThresholdMet")?.message).toBe(
      "Attempting to reclaim ephemeral-storage",
    );
    const evicted = getPod(c, "best-effort");
    expect(evicted.status.phase).toBe("Failed");
    expect(evicted.status.reason).toBe("Evicted");
    expect(evicted.status.message).toMatch(
      /^The node was low on resource: ephemeral-storage\. Threshold quantity: 10Gi, available: \d+Ki\. $/,
    );
    expect(eventsFor(c, "best-effort").find((e) => e.reason === "Evicted")?.type).toBe("Warning");
    expect(getPod(c, "guaranteed").status.phase).toBe("Running");
    // The pressure persists (the disk keeps filling), so the next monitoring pass takes the next pod.
    c.step(10_000);
    expect(getPod(c, "guaranteed").status.reason).toBe("Evicted");
    c.apply([pod("late")]);
    c.step(2000);
    expect(condition(getPod(c, "late"), "PodScheduled")?.message).toContain(
      "1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }",
    );
  });

  it("runs a node out of memory with a leak that has no limit, evicts the leaking pod and recovers", () => {
    const c = new SimCluster();
    c.apply([node("node-1", { memory: "2Gi" })]);
    const steady = { resources: { requests: { memory: "256Mi" } } };
    c.apply([
      pod("leak", {}, {}, { memory: { baseMi: 64, leakMiPerMinute: 200 } }),
      pod("steady", steady),
    ]);
    c.step(8 * 60_000);
    expect(condition(c.store.mustGet("nodes", undefined, "node-1"), "MemoryPressure")?.status).toBe(
      "False",
    );
    for (let i = 0; i < 120 && getPod(c, "leak").status.phase !== "Failed"; i++) c.step(1000);
    // The eviction manager acts at once; the node status carries the condition on its next write.
    c.step(2000);
    const n = c.store.mustGet("nodes", undefined, "node-1");
    expect(condition(n, "MemoryPressure")).toMatchObject({
      status: "True",
      reason: "KubeletHasInsufficientMemory",
      message: "kubelet has insufficient memory available",
    });
    expect(n.spec.taints).toContainEqual({
      key: "node.kubernetes.io/memory-pressure",
      effect: "NoSchedule",
    });
    expect(nodeEvents(c, "node-1").map((e) => e.reason)).toContain("NodeHasInsufficientMemory");
    const leak = getPod(c, "leak");
    expect(leak.status.reason).toBe("Evicted");
    expect(leak.status.message).toMatch(
      /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+[KMG]i\. Container app was using \d+[KMG]i, request is 0, has larger consumption of memory\. $/,
    );
    // The condition outlives the threshold by the 5 min eviction-pressure-transition-period.
    c.step(60_000);
    expect(condition(c.store.mustGet("nodes", undefined, "node-1"), "MemoryPressure")?.status).toBe(
      "True",
    );
    c.step(4 * 60_000 + 2000);
    const after = c.store.mustGet("nodes", undefined, "node-1");
    expect(condition(after, "MemoryPressure")?.status).toBe("False");
    expect(after.spec.taints).toBeUndefined();
    expect(getPod(c, "steady").status.phase).toBe("Running");
  });

  it("marks a node that stops heartbeating Unknown after 40 s, taints it unreachable and evicts its pods after 300 s", () => {
    const c = new SimCluster();
    c.apply([
      node("node-1", {
        annotations: { "sim.opsloop.dev/node": "hardware: {failAfterHours: 0.01}" },
      }),
    ]);
    c.apply([pod("api")]);
    c.step(60_000);
    expect(condition(c.store.mustGet("nodes", undefined, "node-1"), "Ready")?.status).toBe("True");
    c.step(30_000);
    const n = c.store.mustGet("nodes", undefined, "node-1");
    expect(condition(n, "Ready")).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    });
    expect(
      n.spec.taints.map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`),
    ).toEqual([
      "node.kubernetes.io/unreachable:NoSchedule",
      "node.kubernetes.io/unreachable:NoExecute",
    ]);
    expect(nodeEvents(c, "node-1").find((e) => e.reason === "NodeNotReady")?.message).toBe(
      "Node node-1 status is now: NodeNotReady",
    );
    expect(condition(getPod(c, "api"), "Ready")?.status).toBe("False");
    expect(eventsFor(c, "api").find((e) => e.reason === "NodeNotReady")?.message).toBe(
      "Node is not ready",
    );
    // The taint went on at about 71 s (last heartbeat 30 s, plus the 40 s grace period).
    c.step(270_000);
    expect(getPod(c, "api").metadata.deletionTimestamp).toBeUndefined();
    c.step(20_000);
    expect(getPod(c, "api").metadata.deletionTimestamp).toBeDefined();
    expect(condition(getPod(c, "api"), "DisruptionTarget")?.reason).toBe("DeletionByTaintManager");
    expect(eventsFor(c, "api").find((e) => e.reason === "TaintManagerEviction")?.message).toBe(
      "Marking for deletion Pod default/api",
    );
    c.step(60_000);
    // Its kubelet is gone, so nothing confirms the deletion: the pod stays Terminating.
    expect(c.store.get("pods", "default", "api")).toBeDefined();
  });
});
