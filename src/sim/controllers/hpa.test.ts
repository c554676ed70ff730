import { describe, expect, it } from "vitest";
import { POD_BEHAVIOUR_ANNOTATION } from "../behaviour.ts";
import { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { advance, deployment, eventsFor, livePods, node } from "./test-support.ts";

function hpa(max = 10): KubeObject {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web", namespace: "default" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      minReplicas: 2,
      maxReplicas: max,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } },
        },
      ],
    },
  };
}

/** A web deployment serving `rps` in total; each request costs 1m of CPU on top of 20m. */
function busy(rps: number, withRequests = true): KubeObject {
  const d = deployment("web", 2);
  d.spec.template.metadata.annotations = {
    [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify({ traffic: { rps, noise: 0 } }),
  };
  if (withRequests)
    d.spec.template.spec.containers[0].resources = { requests: { cpu: "100m", memory: "64Mi" } };
  return d;
}

const status = (c: SimCluster) =>
  c.store.mustGet("horizontalpodautoscalers.autoscaling", "default", "web").status;
const cond = (c: SimCluster, type: string) =>
  status(c).conditions.find((x: { type: string }) => x.type === type);
const replicas = (c: SimCluster) =>
  c.store.mustGet("deployments.apps", "default", "web").spec.replicas;

describe("horizontal pod autoscaler", () => {
  it("scales a busy deployment up on CPU utilization, capped at maxReplicas", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), node("node-2"), busy(400), hpa(5)]);
    advance(c, 60);
    expect(replicas(c)).toBe(5);
    expect(eventsFor(c, "web")).toContain(
      "SuccessfulRescale: New size: 5; reason: cpu resource utilization (percentage of request) above target",
    );
    expect(cond(c, "ScalingActive")).toMatchObject({ status: "True", reason: "ValidMetricFound" });
    expect(cond(c, "ScalingLimited")).toMatchObject({ status: "True", reason: "TooManyReplicas" });
    expect(status(c).currentMetrics[0].resource.current.averageUtilization).toBeGreaterThan(50);
  });

  it("scales down only after the 300 s stabilization window", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), busy(0), { ...hpa(), spec: { ...hpa().spec, minReplicas: 1 } }]);
    advance(c, 120);
    expect(replicas(c)).toBe(2);
    advance(c, 240);
    expect(replicas(c)).toBe(1);
    expect(eventsFor(c, "web")).toContain(
      "SuccessfulRescale: New size: 1; reason: All metrics below target",
    );
  });

  it("reports the missing cpu request instead of scaling", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), busy(400, false), hpa()]);
    advance(c, 40);
    expect(replicas(c)).toBe(2);
    const pod = livePods(c)[0]?.metadata.name as string;
    const message = cond(c, "ScalingActive").message as string;
    expect(cond(c, "ScalingActive")).toMatchObject({
      status: "False",
      reason: "FailedGetResourceMetric",
    });
    expect(message).toMatch(
      /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod web-/,
    );
    expect(livePods(c).map((p) => p.metadata.name)).toContain(message.split(" ").at(-1));
    expect(pod).toBeDefined();
    expect(
      eventsFor(c, "web").some((e) =>
        e.startsWith(
          "FailedGetResourceMetric: failed to get cpu utilization: missing request for cpu",
        ),
      ),
    ).toBe(true);
  });

  it("honours a scale-up policy of one pod per minute", () => {
    const c = new SimCluster();
    const slow = hpa(10);
    slow.spec.behavior = { scaleUp: { policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } };
    c.apply([node("node-1"), node("node-2"), busy(400), slow]);
    advance(c, 50);
    expect(replicas(c)).toBe(3);
    expect(cond(c, "ScalingLimited")).toMatchObject({ status: "True", reason: "ScaleUpLimit" });
    advance(c, 60);
    expect(replicas(c)).toBe(4);
  });
});
