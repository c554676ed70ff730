import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { advance, eventsFor, livePods, node } from "./test-support.ts";

const podSpec = { containers: [{ name: "agent", image: "fluent-bit:3.0" }] };

function daemonSet(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "logs", namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { app: "logs" } },
      template: { metadata: { labels: { app: "logs" } }, spec: { ...podSpec, ...extra } },
    },
  };
}

function statefulSet(replicas: number, policy = "OrderedReady"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db", namespace: "default" },
    spec: {
      replicas,
      serviceName: "db",
      podManagementPolicy: policy,
      selector: { matchLabels: { app: "db" } },
      template: {
        metadata: { labels: { app: "db" } },
        spec: { containers: [{ name: "pg", image: "postgres:16" }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      ],
    },
  };
}

const standardClass: KubeObject = {
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: {
    name: "standard",
    annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
  },
  provisioner: "rancher.io/local-path",
  reclaimPolicy: "Delete",
  volumeBindingMode: "WaitForFirstConsumer",
};

const tainted = (name: string, taint: Record<string, string>) =>
  node(name, { spec: { taints: [taint] } });

describe("daemonset controller", () => {
  it("runs one pod per eligible node, skipping untolerated taints but not the ones it tolerates itself", () => {
    const c = new SimCluster();
    c.apply([
      node("node-1"),
      node("node-2"),
      tainted("cp", { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }),
      tainted("full", { key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" }),
      daemonSet(),
    ]);
    advance(c, 10);
    const pods = c.store.list("pods", { namespace: "kube-system" });
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(["full", "node-1", "node-2"]);
    expect(pods[0]?.spec.tolerations).toContainEqual({
      key: "node.kubernetes.io/unreachable",
      operator: "Exists",
      effect: "NoExecute",
    });
    const s = c.store.mustGet("daemonsets.apps", "kube-system", "logs").status;
    expect(s).toMatchObject({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 3,
      numberAvailable: 3,
      updatedNumberScheduled: 3,
    });
  });

  it("follows nodeSelector and new nodes", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), daemonSet({ nodeSelector: { gpu: "true" } })]);
    advance(c, 5);
    expect(c.store.list("pods", { namespace: "kube-system" })).toHaveLength(0);
    c.apply([{ ...node("gpu-1"), metadata: { name: "gpu-1", labels: { gpu: "true" } } }]);
    advance(c, 5);
    expect(c.store.list("pods", { namespace: "kube-system" }).map((p) => p.spec.nodeName)).toEqual([
      "gpu-1",
    ]);
  });

  it("replaces pods of an old template one node at a time", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), node("node-2"), daemonSet()]);
    advance(c, 10);
    const before = livePods(c, "kube-system").map((p) => p.metadata.name);
    c.store.mutate(
      "daemonsets.apps",
      "kube-system",
      "logs",
      (d) => {
        d.spec.template.spec.containers[0].image = "fluent-bit:3.1";
      },
      {},
    );
    advance(c, 2);
    // maxUnavailable 1: only one of the two old pods is replaced at first.
    expect(livePods(c, "kube-system").filter((p) => before.includes(p.metadata.name))).toHaveLength(
      1,
    );
    advance(c, 90);
    const after = livePods(c, "kube-system");
    expect(after).toHaveLength(2);
    expect(after.every((p) => p.spec.containers[0].image === "fluent-bit:3.1")).toBe(true);
    expect(
      c.store.mustGet("daemonsets.apps", "kube-system", "logs").status.updatedNumberScheduled,
    ).toBe(2);
  });
});

describe("statefulset controller", () => {
  it("creates ordinals one at a time with their claims, waiting for each to be ready", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), standardClass, statefulSet(3)]);
    c.step(1000);
    c.step(1000);
    expect(c.store.list("pods").map((p) => p.metadata.name)).toEqual(["db-0"]);
    advance(c, 30);
    const pods = c.store.list("pods");
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(["db-0", "db-1", "db-2"]);
    const db1 = c.store.mustGet("pods", "default", "db-1");
    expect(db1.spec.hostname).toBe("db-1");
    expect(db1.spec.subdomain).toBe("db");
    expect(db1.spec.volumes).toContainEqual({
      name: "data",
      persistentVolumeClaim: { claimName: "data-db-1" },
    });
    expect(c.store.get("persistentvolumeclaims", "default", "data-db-2")).toBeDefined();
    expect(eventsFor(c, "db")).toContain(
      "SuccessfulCreate: create Pod db-0 in StatefulSet db successful",
    );
    expect(eventsFor(c, "db")).toContain(
      "SuccessfulCreate: create Claim data-db-0 Pod db-0 in StatefulSet db success",
    );
    expect(c.store.mustGet("statefulsets.apps", "default", "db").status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      updatedReplicas: 3,
    });
  });

  it("scales down from the highest ordinal and keeps the claims", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), standardClass, statefulSet(3, "Parallel")]);
    c.step(1000);
    expect(c.store.list("pods")).toHaveLength(3);
    advance(c, 10);
    c.store.mutate(
      "statefulsets.apps",
      "default",
      "db",
      (s) => {
        s.spec.replicas = 1;
      },
      {},
    );
    advance(c, 40);
    expect(livePods(c).map((p) => p.metadata.name)).toEqual(["db-0"]);
    expect(c.store.list("persistentvolumeclaims")).toHaveLength(3);
  });
});
