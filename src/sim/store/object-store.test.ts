import { describe, expect, it } from "vitest";
import { FixedClock } from "../../core/clock.ts";
import { ApiError } from "./api-error.ts";
import { ObjectStore } from "./object-store.ts";
import { ResourceRegistry } from "./resources.ts";
import type { KubeObject, WatchEvent } from "./types.ts";

function newStore(historySize = 100): ObjectStore {
  const store = new ObjectStore(new ResourceRegistry(), new FixedClock(), historySize);
  store.create("namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "default" },
  });
  return store;
}

const cm = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default", labels },
  data: { a: "1" },
});

describe("ObjectStore", () => {
  it("assigns uid, creationTimestamp and a global increasing resourceVersion", () => {
    const s = newStore();
    const a = s.create("configmaps", cm("a"));
    const b = s.create("configmaps", cm("b"));
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(s.resourceVersion).toBe(b.metadata.resourceVersion);
  });

  it("rejects a duplicate name and an object in a missing namespace", () => {
    const s = newStore();
    s.create("configmaps", cm("a"));
    expect(() => s.create("configmaps", cm("a"))).toThrow(/already exists/);
    expect(() =>
      s.create("configmaps", { ...cm("x"), metadata: { name: "x", namespace: "nope" } }),
    ).toThrow(/namespaces "nope" not found/);
  });

  it("refuses an update that carries a stale resourceVersion", () => {
    const s = newStore();
    const a = s.create("configmaps", cm("a"));
    s.mutate("configmaps", "default", "a", (d) => {
      d.data = { a: "2" };
    });
    expect(() => s.update("configmaps", { ...a, data: { a: "3" } })).toThrowError(ApiError);
  });

  it("does not persist a dry-run create", () => {
    const s = newStore();
    s.create("configmaps", cm("a"), { dryRun: true });
    expect(s.get("configmaps", "default", "a")).toBeUndefined();
  });

  it("filters lists by label and field selectors", () => {
    const s = newStore();
    s.create("configmaps", cm("a", { app: "x", tier: "web" }));
    s.create("configmaps", cm("b", { app: "y" }));
    expect(
      s.list("configmaps", { labelSelector: "app in (x,z),tier" }).map((o) => o.metadata.name),
    ).toEqual(["a"]);
    expect(s.list("configmaps", { labelSelector: "!tier" }).map((o) => o.metadata.name)).toEqual([
      "b",
    ]);
    expect(
      s.list("configmaps", { fieldSelector: "metadata.name!=a" }).map((o) => o.metadata.name),
    ).toEqual(["b"]);
  });

  it("replays changes after a resourceVersion and reports 410 once history is compacted", () => {
    const s = newStore();
    const a = s.create("configmaps", cm("a"));
    s.create("configmaps", cm("b"));
    s.delete("configmaps", "default", "a");
    const seen: string[] = [];
    const stop = s.watch("configmaps", { resourceVersion: a.metadata.resourceVersion }, (e) =>
      seen.push(`${e.type}:${e.object.metadata.name}`),
    );
    s.create("configmaps", cm("c"));
    stop();
    s.create("configmaps", cm("d"));
    expect(seen).toEqual(["ADDED:b", "DELETED:a", "ADDED:c"]);
    s.compact();
    expect(() =>
      s.watch("configmaps", { resourceVersion: a.metadata.resourceVersion }, () => {}),
    ).toThrow(/too old/);
  });

  it("turns selector transitions into ADDED and DELETED for a filtered watch", () => {
    const s = newStore();
    const seen: WatchEvent["type"][] = [];
    s.watch("configmaps", { labelSelector: "app=x" }, (e) => seen.push(e.type));
    s.create("configmaps", cm("a", { app: "y" }));
    s.mutate("configmaps", "default", "a", (d) => {
      d.metadata.labels = { app: "x" };
    });
    s.mutate("configmaps", "default", "a", (d) => {
      d.metadata.labels = { app: "z" };
    });
    expect(seen).toEqual(["ADDED", "DELETED"]);
  });

  it("keeps stored objects frozen so readers cannot change them by accident", () => {
    const s = newStore();
    const a = s.create("configmaps", cm("a"));
    expect(() => {
      (a.data as Record<string, string>).a = "mutated";
    }).toThrow(TypeError);
  });

  it("marks an object with finalizers as deleting and removes it when the last finalizer goes", () => {
    const s = newStore();
    s.create("configmaps", {
      ...cm("a"),
      metadata: { name: "a", namespace: "default", finalizers: ["x/y"] },
    });
    const marked = s.delete("configmaps", "default", "a");
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    s.mutate("configmaps", "default", "a", (d) => {
      d.metadata.finalizers = [];
    });
    expect(s.get("configmaps", "default", "a")).toBeUndefined();
  });
});
