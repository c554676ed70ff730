import { describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";
import { advance, deployment, node } from "./test-support.ts";

describe("namespace controller and garbage collector", () => {
  it("creates the default ServiceAccount in every namespace", () => {
    const c = new SimCluster();
    c.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }]);
    c.step(1000);
    expect(c.store.get("serviceaccounts", "shop", "default")).toBeDefined();
    expect(c.store.get("serviceaccounts", "kube-system", "default")).toBeDefined();
    const builtIn = c.store.mustGet("namespaces", undefined, "default");
    expect(builtIn.status.phase).toBe("Active");
    expect(builtIn.metadata.labels?.["kubernetes.io/metadata.name"]).toBe("default");
  });

  it("terminates a namespace: Terminating while it empties, then gone", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }]);
    c.apply([{ ...deployment("web", 2), metadata: { name: "web", namespace: "shop" } }]);
    advance(c, 5);
    expect(c.store.list("pods", { namespace: "shop" })).toHaveLength(2);
    const ns = c.store.mustGet("namespaces", undefined, "shop");
    expect(ns.spec.finalizers).toEqual(["kubernetes"]);
    c.store.delete("namespaces", undefined, "shop");
    expect(c.store.get("namespaces", undefined, "shop")?.metadata.deletionTimestamp).toBeDefined();
    c.step(1000);
    expect(c.store.get("namespaces", undefined, "shop")?.status.phase).toBe("Terminating");
    advance(c, 40);
    expect(c.store.list("deployments.apps", { namespace: "shop" })).toEqual([]);
    expect(c.store.list("pods", { namespace: "shop" })).toEqual([]);
    expect(c.store.get("namespaces", undefined, "shop")).toBeUndefined();
  });

  it("deletes the ReplicaSets and pods of a deleted Deployment", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 2)]);
    advance(c, 5);
    expect(c.store.list("replicasets.apps")).toHaveLength(1);
    c.store.delete("deployments.apps", "default", "web");
    advance(c, 40);
    expect(c.store.list("replicasets.apps")).toEqual([]);
    expect(c.store.list("pods", { namespace: "default" })).toEqual([]);
  });

  it("orphans dependents on propagationPolicy Orphan", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 1)]);
    advance(c, 5);
    c.store.delete("deployments.apps", "default", "web", { propagationPolicy: "Orphan" });
    advance(c, 3);
    expect(c.store.get("deployments.apps", "default", "web")).toBeUndefined();
    const [rs] = c.store.list("replicasets.apps");
    expect(rs?.metadata.ownerReferences ?? []).toEqual([]);
    expect(c.store.list("pods")).toHaveLength(1);
  });

  it("deletes dependents before the owner on propagationPolicy Foreground", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), deployment("web", 1)]);
    advance(c, 5);
    c.store.delete("deployments.apps", "default", "web", { propagationPolicy: "Foreground" });
    expect(c.store.get("deployments.apps", "default", "web")?.metadata.finalizers).toEqual([
      "foregroundDeletion",
    ]);
    advance(c, 40);
    expect(c.store.list("pods")).toEqual([]);
    expect(c.store.list("replicasets.apps")).toEqual([]);
    expect(c.store.get("deployments.apps", "default", "web")).toBeUndefined();
  });
});
