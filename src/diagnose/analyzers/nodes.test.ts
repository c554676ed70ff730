import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { analyzeNodes } from "./nodes.ts";

const NOW = Date.UTC(2026, 0, 5, 1, 0, 0);

function node(name: string, conditions: [string, string][]): V1Node {
  return {
    metadata: { name },
    status: {
      conditions: conditions.map(([type, status]) => ({
        type,
        status,
        reason: `${type}${status}`,
        message: "",
      })),
    },
  };
}

describe("node analyzer", () => {
  it("stays quiet on healthy nodes, including conditions other agents own with their own polarity", () => {
    const snap = emptySnapshot();
    snap.nodes.push(
      node("n1", [
        ["Ready", "True"],
        ["MemoryPressure", "False"],
        ["DiskPressure", "False"],
        ["PIDPressure", "False"],
        ["NetworkUnavailable", "False"],
      ]),
      // EKS node monitoring agent / node-problem-detector / k3s conditions: True can be healthy.
      node("n2", [
        ["Ready", "True"],
        ["AcceleratedHardwareReady", "True"],
        ["KernelReady", "True"],
        ["EtcdIsVoter", "True"],
        ["KernelDeadlock", "False"],
      ]),
    );
    expect(analyzeNodes(snap, NOW)).toEqual([]);
  });

  it("reports a NotReady node once, with the pods on it", () => {
    const snap = emptySnapshot();
    snap.nodes.push(
      node("n1", [
        ["Ready", "Unknown"],
        ["DiskPressure", "Unknown"],
      ]),
    );
    const pod: V1Pod = {
      metadata: { name: "web-1", namespace: "shop" },
      spec: { nodeName: "n1", containers: [] },
      status: { phase: "Running" },
    };
    snap.pods.push(pod);
    const findings = analyzeNodes(snap, NOW);
    expect(findings.map((f) => f.reason)).toEqual(["NodeNotReady"]);
    expect(findings[0]?.affected.map((a) => a.name)).toEqual(["n1", "web-1"]);
  });

  it("folds the kubelet's evictions into the pressure that caused them", () => {
    const snap = emptySnapshot();
    snap.nodes.push(
      node("n1", [
        ["Ready", "True"],
        ["MemoryPressure", "True"],
      ]),
    );
    for (const name of ["a", "b"]) {
      snap.pods.push({
        metadata: { name, namespace: "shop" },
        spec: { nodeName: "n1", containers: [] },
        status: {
          phase: "Failed",
          reason: "Evicted",
          message:
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi. ",
          conditions: [
            {
              type: "DisruptionTarget",
              status: "True",
              lastTransitionTime: new Date(NOW - 60_000),
            },
          ],
        },
      });
    }
    const [f, ...rest] = analyzeNodes(snap, NOW);
    expect(rest).toEqual([]);
    expect(f?.reason).toBe("Evicted");
    expect(f?.rootCause).toBe(
      "node n1 is low on memory (MemoryPressure); the kubelet evicted 2 pod(s) to reclaim memory",
    );
  });

  it("reports PID pressure and a missing pod network with the pods on the node", () => {
    const snap = emptySnapshot();
    snap.nodes.push(
      node("n1", [
        ["Ready", "True"],
        ["PIDPressure", "True"],
        ["NetworkUnavailable", "True"],
      ]),
    );
    snap.pods.push({
      metadata: { name: "w", namespace: "a" },
      spec: { nodeName: "n1", containers: [] },
      status: { phase: "Running" },
    });
    const found = analyzeNodes(snap, NOW).map((f) => [
      f.reason,
      f.affected.map((a) => a.name),
      f.rootCause,
    ]);
    expect(found).toEqual([
      ["PIDPressure", ["n1", "w"], "node n1 is running out of process IDs (PIDPressure)"],
      [
        "NetworkUnavailable",
        ["n1", "w"],
        "node n1 has no pod network (NetworkUnavailableTrue): the CNI or route controller has not configured it",
      ],
    ]);
  });
});
