import { describe, expect, it } from "vitest";
import {
  containerStatus,
  eventsWith,
  metricValues,
  podCondition,
  podsOf,
  startScenario,
} from "./harness.ts";

const MIN = 60_000;
const messageOf = (e: unknown) => (e as { message?: string }).message ?? "";

describe("scheduling, storage and autoscaling scenarios", () => {
  it("unschedulable reports Insufficient cpu and the untolerated taint", () => {
    const { cluster } = startScenario("unschedulable");
    cluster.step(MIN);
    const [reports] = podsOf(cluster, "analytics", "reports");
    const [trainer] = podsOf(cluster, "analytics", "trainer");
    if (!reports || !trainer) throw new Error("pods missing");
    expect(reports.status?.phase).toBe("Pending");
    expect(podCondition(reports, "PodScheduled")).toMatchObject({
      status: "False",
      reason: "Unschedulable",
    });
    const messages = eventsWith(cluster, "FailedScheduling", "analytics").map(messageOf);
    expect(messages).toContain(
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: ml}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
    expect(
      messages.some((m) =>
        m.startsWith(
          "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: ml}, 2 node(s) didn't match Pod's node affinity/selector.",
        ),
      ),
    ).toBe(true);
    expect(trainer.spec?.nodeName).toBeUndefined();
  });

  it("pvc-missing-storageclass keeps the claim and its pod Pending", () => {
    const { cluster } = startScenario("pvc-missing-storageclass");
    cluster.step(MIN);
    const pvc = cluster.store.get("persistentvolumeclaims", "analytics", "reports-data");
    expect(pvc?.status?.phase).toBe("Pending");
    expect(eventsWith(cluster, "ProvisioningFailed", "analytics").map(messageOf)).toContain(
      'storageclass.storage.k8s.io "fast-ssd" not found',
    );
    const [pod] = podsOf(cluster, "analytics", "reports");
    expect(pod?.status?.phase).toBe("Pending");
    expect(
      eventsWith(cluster, "FailedScheduling", "analytics")
        .map(messageOf)
        .some((m) =>
          m.startsWith(
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
          ),
        ),
    ).toBe(true);
    const text = cluster.telemetry.render();
    expect(
      metricValues(text, "kube_persistentvolumeclaim_status_phase", {
        persistentvolumeclaim: "reports-data",
        phase: "Pending",
      }),
    ).toEqual([1]);
  });

  it("hpa-without-requests cannot compute cpu utilization and never scales", () => {
    const { cluster } = startScenario("hpa-without-requests");
    cluster.step(3 * MIN);
    const hpa = cluster.store.get("horizontalpodautoscalers.autoscaling", "shop", "api");
    const conds = (hpa?.status?.conditions ?? []) as Array<{
      type: string;
      status: string;
      reason: string;
      message: string;
    }>;
    expect(conds.find((c) => c.type === "ScalingActive")).toMatchObject({
      status: "False",
      reason: "FailedGetResourceMetric",
    });
    expect(
      eventsWith(cluster, "FailedGetResourceMetric", "shop")
        .map(messageOf)
        .some((m) =>
          /^failed to get cpu utilization: missing request for cpu in container api of Pod api-/.test(
            m,
          ),
        ),
    ).toBe(true);
    expect(podsOf(cluster, "shop", "api")).toHaveLength(2);
  });

  it("ip-exhaustion fails sandbox creation for new pods on the exhausted zone only", () => {
    const { cluster, timeline } = startScenario("ip-exhaustion");
    cluster.step(4 * MIN);
    expect(timeline.fired).toHaveLength(2);
    const api = podsOf(cluster, "shop", "api");
    expect(api).toHaveLength(6);
    const stuck = api.filter(
      (p) => containerStatus(p)?.state?.waiting?.reason === "ContainerCreating",
    );
    expect(stuck.length).toBeGreaterThan(0);
    for (const p of stuck) expect(p.spec?.nodeName).toBe("node-a-1");
    const sandbox = eventsWith(cluster, "FailedCreatePodSandBox", "shop").map(messageOf);
    expect(sandbox.length).toBeGreaterThan(0);
    expect(sandbox[0]).toMatch(
      /^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": plugin type="aws-cni"/,
    );
  });
});
