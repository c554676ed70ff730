import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { deployment, node, runPod, stepWithKubelet } from "./test-support.ts";

function pdb(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "web", namespace: "default" },
    spec: { selector: { matchLabels: { app: "web" } }, ...spec },
  };
}

const status = (c: SimCluster) =>
  c.store.mustGet("poddisruptionbudgets.policy", "default", "web").status;

describe("disruption controller", () => {
  it("allows healthy pods above minAvailable to be disrupted", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 3), pdb({ minAvailable: 2 })]);
    stepWithKubelet(c, 3);
    expect(status(c)).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 1,
    });
    expect(status(c).conditions[0]).toMatchObject({
      type: "DisruptionAllowed",
      status: "True",
      reason: "SufficientPods",
    });
  });

  it("reports InsufficientPods when a pod is unready and recovers when it is back", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 3), pdb({ maxUnavailable: "34%" })]);
    stepWithKubelet(c, 3);
    // 34% of 3 rounds up to 2 unavailable, so 1 must stay healthy.
    expect(status(c)).toMatchObject({ desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 2 });
    const [a, b] = c.store.list("pods") as KubeObject[];
    runPod(c, a as KubeObject, false);
    runPod(c, b as KubeObject, false);
    c.step(1000);
    expect(status(c)).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0 });
    expect(status(c).conditions[0]).toMatchObject({ status: "False", reason: "InsufficientPods" });
    runPod(c, a as KubeObject, true);
    c.step(1000);
    expect(status(c)).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
  });

  it("uses the deployment's replicas for a percentage minAvailable", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 4), pdb({ minAvailable: "50%" })]);
    stepWithKubelet(c, 3);
    expect(status(c)).toMatchObject({ expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 2 });
  });
});
