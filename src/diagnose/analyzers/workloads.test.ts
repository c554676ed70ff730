import type { V1DaemonSet, V1Deployment, V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { analyzeEventPatterns } from "./event-patterns.ts";
import { analyzePodStartup } from "./pod-startup.ts";
import { analyzeWorkloads } from "./workloads.ts";

const NOW = Date.UTC(2026, 0, 5, 1, 0, 0);
const LONG_AGO = new Date(NOW - 30 * 60_000);

function deployment(conditions: NonNullable<V1Deployment["status"]>["conditions"]): V1Deployment {
  return {
    metadata: {
      name: "api",
      namespace: "shop",
      uid: "d1",
      annotations: { "deployment.kubernetes.io/revision": "4" },
    },
    spec: { replicas: 3, selector: {}, template: {}, progressDeadlineSeconds: 600 },
    status: { availableReplicas: 1, conditions },
  };
}

function ownedPod(
  name: string,
  owner: { kind: string; name: string; uid: string },
  status: V1Pod["status"],
): V1Pod {
  return {
    metadata: {
      name,
      namespace: owner.kind === "DaemonSet" ? "monitoring" : "shop",
      uid: name,
      ownerReferences: [{ apiVersion: "apps/v1", ...owner, controller: true }],
    },
    spec: { containers: [{ name: "c", image: "x:1" }] },
    status,
  };
}

describe("workload analyzer", () => {
  it("reports a rollout past its progress deadline", () => {
    const snap = emptySnapshot();
    snap.deployments.push(
      deployment([
        {
          type: "Available",
          status: "False",
          reason: "MinimumReplicasUnavailable",
          lastTransitionTime: LONG_AGO,
        },
        {
          type: "Progressing",
          status: "False",
          reason: "ProgressDeadlineExceeded",
          message: 'ReplicaSet "api-5d8" has timed out progressing.',
        },
      ]),
    );
    const [f, ...rest] = analyzeWorkloads(snap, NOW);
    expect(rest).toEqual([]);
    expect(f?.reason).toBe("ProgressDeadlineExceeded");
    expect(f?.rootCause).toBe(
      'the rollout of Deployment shop/api to revision 4 made no progress within 600s (1/3 available): ReplicaSet "api-5d8" has timed out progressing.',
    );
    expect(f?.fix?.command).toBe("kubectl rollout undo deployment/api -n shop");
  });

  it("names what rejects the ReplicaSet's pods", () => {
    const snap = emptySnapshot();
    snap.deployments.push(
      deployment([{ type: "Available", status: "False", lastTransitionTime: LONG_AGO }]),
    );
    snap.replicaSets.push({
      metadata: {
        name: "api-5d8",
        namespace: "shop",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: "d1", controller: true },
        ],
      },
      status: {
        replicas: 1,
        conditions: [
          {
            type: "ReplicaFailure",
            status: "True",
            reason: "FailedCreate",
            message:
              'pods "api-5d8-x" is forbidden: exceeded quota: compute, requested: cpu=500m, used: cpu=4, limited: cpu=4',
          },
        ],
      },
    });
    const [f] = analyzeWorkloads(snap, NOW);
    expect(f?.reason).toBe("FailedCreate");
    expect(f?.rootCause).toContain("exceeded quota: compute");
  });

  it("leaves a Deployment to the pod finding that already explains it", async () => {
    const snap = emptySnapshot();
    snap.deployments.push(
      deployment([{ type: "Available", status: "False", lastTransitionTime: LONG_AGO }]),
    );
    snap.replicaSets.push({
      metadata: {
        name: "api-5d8",
        namespace: "shop",
        uid: "rs1",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: "d1", controller: true },
        ],
      },
    });
    snap.pods.push(
      ownedPod(
        "api-5d8-a",
        { kind: "ReplicaSet", name: "api-5d8", uid: "rs1" },
        {
          phase: "Pending",
          containerStatuses: [
            {
              name: "c",
              image: "x:1",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: {
                waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "x:1"' },
              },
            },
          ],
        },
      ),
    );
    expect(analyzeWorkloads(snap, NOW)).toEqual([]);
    const pods = await analyzePodStartup(snap, NOW);
    expect(pods.map((f) => [f.reason, f.subject.kind, f.subject.name])).toEqual([
      ["ImagePullBackOff", "Deployment", "api"],
    ]);
  });

  it("finds the first blocked ordinal of a StatefulSet and a DaemonSet's misscheduled pods", () => {
    const snap = emptySnapshot();
    const sts: V1StatefulSet = {
      metadata: { name: "db", namespace: "shop", uid: "s1", creationTimestamp: LONG_AGO },
      spec: { serviceName: "db", replicas: 3, selector: {}, template: {} },
      status: { replicas: 2, readyReplicas: 1 },
    };
    snap.statefulSets.push(sts);
    snap.services.push({ metadata: { name: "db", namespace: "shop" } });
    const ready = (r: string) => ({ phase: "Running", conditions: [{ type: "Ready", status: r }] });
    snap.pods.push(ownedPod("db-0", { kind: "StatefulSet", name: "db", uid: "s1" }, ready("True")));
    snap.pods.push(
      ownedPod("db-1", { kind: "StatefulSet", name: "db", uid: "s1" }, ready("False")),
    );
    const ds: V1DaemonSet = {
      metadata: { name: "agent", namespace: "monitoring", uid: "ds1", creationTimestamp: LONG_AGO },
      spec: { selector: {}, template: {} },
      status: {
        currentNumberScheduled: 3,
        desiredNumberScheduled: 2,
        numberMisscheduled: 1,
        numberReady: 3,
      },
    };
    snap.daemonSets.push(ds);
    const found = analyzeWorkloads(snap, NOW).map((f) => [f.reason, f.rootCause]);
    expect(found).toEqual([
      [
        "StatefulSetNotReady",
        "StatefulSet shop/db has 1/3 ready replicas: pod db-1 is not Ready (phase Running); OrderedReady holds back db-2",
      ],
      [
        "MisscheduledDaemonPods",
        "1 pod(s) of DaemonSet monitoring/agent run on nodes its node selector/affinity/tolerations no longer admit",
      ],
    ]);
  });
});

describe("event patterns", () => {
  it("explains a Multi-Attach error as a ReadWriteOnce volume still attached elsewhere", () => {
    const snap = emptySnapshot();
    const pod = ownedPod(
      "db-0",
      { kind: "StatefulSet", name: "db", uid: "s1" },
      { phase: "Pending" },
    );
    pod.spec = { ...pod.spec, nodeName: "n2", containers: [] };
    snap.pods.push(pod);
    snap.events.push({
      metadata: { name: "db-0.1" },
      involvedObject: { kind: "Pod", namespace: "shop", name: "db-0", uid: "db-0" },
      reason: "FailedAttachVolume",
      type: "Warning",
      message:
        'Multi-Attach error for volume "pvc-8f1c" Volume is already exclusively attached to one node and can\'t be attached to another',
    });
    const [f] = analyzeEventPatterns(snap, NOW);
    expect(f?.reason).toBe("FailedAttachVolume");
    expect(f?.subject).toMatchObject({ kind: "StatefulSet", name: "db" });
    expect(f?.rootCause).toBe(
      "volume pvc-8f1c is ReadWriteOnce and still attached to another node, so it cannot attach where the new pod runs",
    );
  });
});
