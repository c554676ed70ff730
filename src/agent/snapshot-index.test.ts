import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../sources/kubernetes/snapshot.ts";
import { ownerOfPod, podOf, topologyOf } from "./snapshot-index.ts";

function snapshot() {
  const snap = emptySnapshot();
  snap.replicaSets = [
    {
      metadata: {
        namespace: "shop",
        name: "api-7d9f",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: "d1", controller: true },
        ],
      },
    },
  ];
  snap.pods = [
    {
      metadata: {
        namespace: "shop",
        name: "api-7d9f-x2k4p",
        uid: "p1",
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            name: "api-7d9f",
            uid: "r1",
            controller: true,
          },
        ],
      },
      spec: { nodeName: "node-a", containers: [] },
    },
    { metadata: { namespace: "other", name: "api-7d9f-x2k4p", uid: "p2" } },
  ];
  return snap;
}

describe("snapshot index", () => {
  it("finds a pod by namespace and name, not by name alone", () => {
    const snap = snapshot();
    expect(podOf(snap, "shop", "api-7d9f-x2k4p")?.metadata?.uid).toBe("p1");
    expect(podOf(snap, "other", "api-7d9f-x2k4p")?.metadata?.uid).toBe("p2");
    expect(podOf(snap, "shop", "missing")).toBeUndefined();
  });

  it("resolves a pod to its Deployment through its ReplicaSet, and an unknown pod to nothing", () => {
    const snap = snapshot();
    expect(ownerOfPod(snap, "shop", "api-7d9f-x2k4p")).toEqual({
      kind: "Deployment",
      namespace: "shop",
      name: "api",
      uid: "d1",
    });
    expect(ownerOfPod(snap, "other", "api-7d9f-x2k4p")).toMatchObject({ kind: "Pod" });
    expect(ownerOfPod(snap, "shop", "gone")).toBeUndefined();
  });

  it("builds the topology once per snapshot and again for a new one", () => {
    const snap = snapshot();
    const t = topologyOf(snap);
    expect(topologyOf(snap)).toBe(t);
    expect(t.podNode.get("shop/api-7d9f-x2k4p")).toBe("node-a");
    expect(topologyOf(snapshot())).not.toBe(t);
  });
});
