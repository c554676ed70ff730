import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { analyzePending } from "./pending.ts";

const NOW = Date.UTC(2026, 0, 5, 1, 0, 0);

const node = (name: string, labels: Record<string, string>): V1Node => ({
  metadata: { name, labels },
  status: { allocatable: { cpu: "4", memory: "16Gi" } },
});

function pending(name: string, spec: Partial<NonNullable<V1Pod["spec"]>>, message?: string): V1Pod {
  return {
    metadata: { name, namespace: "ml", uid: name, creationTimestamp: new Date(NOW - 20 * 60_000) },
    spec: { containers: [{ name: "c", image: "x:1" }], ...spec },
    status: {
      phase: "Pending",
      conditions: message
        ? [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }]
        : [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }],
    },
  };
}

describe("pending analyzer", () => {
  it("reads required node affinity, not only nodeSelector, when no node qualifies", () => {
    const snap = emptySnapshot();
    snap.nodes.push(node("a", { "node.kubernetes.io/instance-type": "m6i.xlarge" }));
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                {
                  key: "node.kubernetes.io/instance-type",
                  operator: "In",
                  values: ["p4d.24xlarge"],
                },
              ],
            },
          ],
        },
      },
    };
    snap.pods.push(
      pending(
        "train-1",
        { affinity },
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
      ),
    );
    const [f] = analyzePending(snap, NOW);
    expect(f?.rootCause).toBe(
      "the pod cannot be scheduled: no node has the labels its node selector/affinity requires (0/1 nodes available: 1 node(s) didn't match Pod's node affinity/selector)",
    );
  });

  it("reports pods held by a scheduling gate nothing removes, and only after a while", () => {
    const snap = emptySnapshot();
    snap.pods.push(pending("job-1", { schedulingGates: [{ name: "kueue.x-k8s.io/admission" }] }));
    const fresh = pending("job-2", { schedulingGates: [{ name: "kueue.x-k8s.io/admission" }] });
    if (fresh.metadata) fresh.metadata.creationTimestamp = new Date(NOW - 60_000);
    snap.pods.push(fresh);
    const findings = analyzePending(snap, NOW);
    expect(findings.map((f) => [f.reason, f.affected.map((a) => a.name)])).toEqual([
      ["SchedulingGated", ["job-1"]],
    ]);
  });

  it("adds the cluster autoscaler's verdict: a full node group is the real limit", () => {
    const snap = emptySnapshot();
    snap.nodes.push(node("a", {}));
    const pod: V1Pod = {
      ...pending(
        "big-1",
        { containers: [{ name: "c", image: "x:1", resources: { requests: { cpu: "3" } } }] },
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
      ),
    };
    snap.pods.push(pod);
    snap.events.push({
      metadata: { name: "big-1.1" },
      involvedObject: { kind: "Pod", namespace: "ml", name: "big-1", uid: "big-1" },
      reason: "NotTriggerScaleUp",
      message: "pod didn't trigger scale-up: 1 max node group size reached",
      source: { component: "cluster-autoscaler" },
    });
    const [f] = analyzePending(snap, NOW);
    expect(f?.rootCause).toBe(
      "the pod cannot be scheduled: 1 node(s) lack free cpu for its request of 3 (the cluster is full); the cluster autoscaler will not add a node: pod didn't trigger scale-up: 1 max node group size reached (0/1 nodes available: 1 Insufficient cpu)",
    );
    expect(f?.severity).toBe("critical");
  });
});
