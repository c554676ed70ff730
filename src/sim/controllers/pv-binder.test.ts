import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { advance, eventsFor, node } from "./test-support.ts";

function claim(name: string, storageClassName?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "2Gi" } },
      ...(storageClassName !== undefined ? { storageClassName } : {}),
    },
  };
}

function storageClass(name: string, mode = "Immediate", isDefault = false): KubeObject {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name,
      ...(isDefault
        ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }
        : {}),
    },
    provisioner: "ebs.csi.aws.com",
    volumeBindingMode: mode,
  };
}

const phase = (c: SimCluster, name: string) =>
  c.store.mustGet("persistentvolumeclaims", "default", name).status.phase;

describe("persistentvolume controller", () => {
  it("provisions and binds a claim whose StorageClass exists", () => {
    const c = new SimCluster();
    c.apply([storageClass("gp3"), claim("data", "gp3")]);
    advance(c, 2);
    const pvc = c.store.mustGet("persistentvolumeclaims", "default", "data");
    expect(pvc.status).toMatchObject({ phase: "Bound", capacity: { storage: "2Gi" } });
    expect(pvc.spec.volumeName).toBe(`pvc-${pvc.metadata.uid}`);
    expect(c.store.mustGet("persistentvolumes", undefined, pvc.spec.volumeName).status.phase).toBe(
      "Bound",
    );
    expect(eventsFor(c, "data")).toContain(
      `ProvisioningSucceeded: Successfully provisioned volume pvc-${pvc.metadata.uid}`,
    );
    c.store.delete("persistentvolumeclaims", "default", "data");
    advance(c, 2);
    expect(c.store.list("persistentvolumes")).toEqual([]);
  });

  it("stays Pending with ProvisioningFailed when the StorageClass is missing", () => {
    const c = new SimCluster();
    c.apply([claim("data", "fast")]);
    advance(c, 3);
    expect(phase(c, "data")).toBe("Pending");
    expect(eventsFor(c, "data")).toContain(
      'ProvisioningFailed: storageclass.storage.k8s.io "fast" not found',
    );
  });

  it("stays Pending with FailedBinding when there is no class and no default", () => {
    const c = new SimCluster();
    c.apply([claim("data")]);
    advance(c, 3);
    expect(phase(c, "data")).toBe("Pending");
    expect(eventsFor(c, "data")).toContain(
      "FailedBinding: no persistent volumes available for this claim and no storage class is set",
    );
  });

  it("waits for the first consumer, then provisions on its node through the default class", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), storageClass("local", "WaitForFirstConsumer", true), claim("data")]);
    advance(c, 3);
    expect(c.store.mustGet("persistentvolumeclaims", "default", "data").spec.storageClassName).toBe(
      "local",
    );
    expect(phase(c, "data")).toBe("Pending");
    expect(eventsFor(c, "data")).toContain(
      "WaitForFirstConsumer: waiting for first consumer to be created before binding",
    );
    c.apply([
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "db", namespace: "default" },
        spec: {
          containers: [{ name: "db", image: "postgres:16" }],
          volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }],
        },
      },
    ]);
    advance(c, 10);
    expect(phase(c, "data")).toBe("Bound");
    expect(c.store.mustGet("pods", "default", "db").status.phase).toBe("Running");
  });

  it("binds a claim to a matching pre-provisioned volume", () => {
    const c = new SimCluster();
    c.apply([
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "nfs-1" },
        spec: {
          capacity: { storage: "5Gi" },
          accessModes: ["ReadWriteOnce"],
          storageClassName: "",
          nfs: { server: "nfs", path: "/x" },
        },
      },
      claim("data", ""),
    ]);
    advance(c, 2);
    expect(c.store.mustGet("persistentvolumeclaims", "default", "data").spec.volumeName).toBe(
      "nfs-1",
    );
  });
});
