import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { analyzeHpas } from "./hpa.ts";
import { analyzeStorage } from "./storage.ts";

const T = Date.parse("2026-11-28T12:00:00Z");

function hpaSnapshot(
  conditions: { type: string; status: string; reason: string; message: string }[],
) {
  const snap = emptySnapshot();
  snap.deployments.push({
    metadata: { name: "api", namespace: "shop" },
    spec: {
      selector: { matchLabels: { app: "api" } },
      template: {
        spec: { containers: [{ name: "api", resources: { requests: { cpu: "100m" } } }] },
      },
    },
  });
  snap.horizontalPodAutoscalers.push({
    metadata: { name: "api", namespace: "shop" },
    spec: {
      scaleTargetRef: { kind: "Deployment", name: "api" },
      minReplicas: 2,
      maxReplicas: 6,
    },
    status: { currentReplicas: 6, desiredReplicas: 6, conditions },
  });
  return snap;
}

describe("HPA analyzer", () => {
  it("reports a missing metrics API from the controller's ScalingActive condition", () => {
    const message =
      "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API";
    const [f, ...rest] = analyzeHpas(
      hpaSnapshot([
        { type: "ScalingActive", status: "False", reason: "FailedGetResourceMetric", message },
      ]),
      T,
    );
    expect(rest).toEqual([]);
    expect(f?.reason).toBe("FailedGetResourceMetric");
    expect(f?.rootCause).toContain("is metrics-server");
    expect(f?.evidence[0]?.text).toContain("no metrics returned from resource metrics API");
  });

  it("reports an HPA pinned at maxReplicas only when the controller says it wants more", () => {
    const limited = analyzeHpas(
      hpaSnapshot([
        { type: "ScalingActive", status: "True", reason: "ValidMetricFound", message: "" },
        {
          type: "ScalingLimited",
          status: "True",
          reason: "TooManyReplicas",
          message: "the desired replica count is more than the maximum replica count",
        },
      ]),
      T,
    );
    expect(limited.map((f) => f.reason)).toEqual(["AtMaxReplicas"]);
    expect(limited[0]?.fix?.patch).toEqual({ spec: { maxReplicas: 9 } });
    const atMaxButContent = analyzeHpas(
      hpaSnapshot([
        { type: "ScalingActive", status: "True", reason: "ValidMetricFound", message: "" },
        { type: "ScalingLimited", status: "False", reason: "DesiredWithinRange", message: "" },
      ]),
      T,
    );
    expect(atMaxButContent).toEqual([]);
  });
});

describe("storage analyzer", () => {
  it("quotes a CSI provisioner's ProvisioningFailed event for a claim of an existing class", () => {
    const snap = emptySnapshot();
    snap.storageClasses.push({ metadata: { name: "gp3" }, provisioner: "ebs.csi.aws.com" });
    snap.persistentVolumeClaims.push({
      metadata: { name: "data", namespace: "shop", uid: "u1" },
      spec: {
        storageClassName: "gp3",
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "10Gi" } },
      },
      status: { phase: "Pending" },
    });
    snap.events.push({
      metadata: { name: "data.1", namespace: "shop" },
      involvedObject: { kind: "PersistentVolumeClaim", namespace: "shop", name: "data", uid: "u1" },
      type: "Warning",
      reason: "ProvisioningFailed",
      message:
        'failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = Could not create volume: VolumeLimitExceeded',
      count: 4,
    });
    const [f, ...rest] = analyzeStorage(snap, T);
    expect(rest).toEqual([]);
    expect(f?.reason).toBe("ProvisioningFailed");
    expect(f?.rootCause).toContain("cannot be provisioned by ebs.csi.aws.com");
    expect(f?.rootCause).toContain("VolumeLimitExceeded");
  });

  it("says nothing while a provisioner works or waits for the first consumer", () => {
    const snap = emptySnapshot();
    snap.storageClasses.push({
      metadata: { name: "gp3" },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    snap.persistentVolumeClaims.push({
      metadata: { name: "data", namespace: "shop" },
      spec: { storageClassName: "gp3" },
      status: { phase: "Pending" },
    });
    expect(analyzeStorage(snap, T)).toEqual([]);
  });
});
