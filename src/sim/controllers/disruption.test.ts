import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import {
  advance,
  deployment,
  FAST_READINESS,
  livePods,
  node,
  setBehaviour,
} from "./test-support.ts";

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
    advance(c, 3);
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
    const web = deployment("web", 3);
    web.spec.template.spec.containers[0].readinessProbe = FAST_READINESS;
    c.apply([node("node-1"), web, pdb({ maxUnavailable: "34%" })]);
    advance(c, 10);
    // 34% of 3 rounds up to 2 unavailable, so 1 must stay healthy.
    expect(status(c)).toMatchObject({ desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 2 });
    const [a, b] = livePods(c) as KubeObject[];
    setBehaviour(c, a as KubeObject, { probesFailAfterSeconds: 0 });
    setBehaviour(c, b as KubeObject, { probesFailAfterSeconds: 0 });
    advance(c, 5);
    expect(status(c)).toMatchObject({ currentHealthy: 1, disruptionsAllowed: 0 });
    expect(status(c).conditions[0]).toMatchObject({ status: "False", reason: "InsufficientPods" });
    // Deleting an unready pod lets its ReplicaSet replace it with a healthy one.
    c.store.delete("pods", "default", (a as KubeObject).metadata.name as string);
    advance(c, 40);
    expect(status(c)).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
  });

  it("uses the deployment's replicas for a percentage minAvailable", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 4), pdb({ minAvailable: "50%" })]);
    advance(c, 3);
    expect(status(c)).toMatchObject({ expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 2 });
  });
});
