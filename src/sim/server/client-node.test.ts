import {
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, runningPod, startHarness } from "./test-harness.ts";

let h: Harness;
let core: CoreV1Api;
let kc: KubeConfig;

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  h = await startHarness();
  kc = new KubeConfig();
  // client-node 2.x refuses plain HTTP unless TLS verification is explicitly skipped.
  kc.loadFromOptions({
    clusters: [{ name: "sim", server: h.cluster.url, skipTLSVerify: true }],
    users: [{ name: "sim", token: "opsloop-simulator" }],
    contexts: [{ name: "sim", cluster: "sim", user: "sim" }],
    currentContext: "sim",
  });
  core = kc.makeApiClient(CoreV1Api);
  h.cluster.store.create("nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n1" },
    spec: {},
  });
});

afterAll(async () => {
  await h.close();
});

describe("@kubernetes/client-node against the simulated API server", () => {
  it("keeps an informer in sync through add, update, delete and a 410 re-list", async () => {
    const seen: string[] = [];
    const informer = makeInformer<V1Pod>(kc, "/api/v1/namespaces/default/pods", () =>
      core.listNamespacedPod({ namespace: "default" }),
    );
    informer.on("add", (p) => seen.push(`add:${p.metadata?.name}`));
    informer.on("update", (p) => seen.push(`update:${p.metadata?.name}`));
    informer.on("delete", (p) => seen.push(`delete:${p.metadata?.name}`));
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    runningPod(h.cluster, "a");
    await informer.start();
    await until(() => seen.includes("add:a"));
    runningPod(h.cluster, "b");
    await until(() => seen.includes("add:b"));
    h.cluster.store.mutate("pods", "default", "a", (p) => {
      p.metadata.labels = { changed: "yes" };
    });
    await until(() => seen.includes("update:a"));
    h.cluster.store.delete("pods", "default", "b", { force: true });
    await until(() => seen.includes("delete:b"));

    // Compaction closes every watch; the informer resumes from a version that is now gone,
    // gets the 410 ERROR event, re-lists and keeps working.
    // A write elsewhere moves the global resourceVersion past the informer's last pod event.
    h.cluster.store.create("configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", namespace: "default" },
    });
    const before = h.cluster.apiServer?.requests().length ?? 0;
    const res = await fetch(`${h.cluster.url}/__sim/compact`, { method: "POST" });
    expect(res.status).toBe(200);
    runningPod(h.cluster, "c");
    await until(() => seen.includes("add:c"), 8000);
    const after = h.cluster.apiServer?.requests().slice(before) ?? [];
    const lists = after.filter(
      (r) => r.path === "/api/v1/namespaces/default/pods" && !r.query.includes("watch"),
    );
    expect(lists.length).toBeGreaterThan(0);
    expect(
      informer
        .list("default")
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(["a", "c"]);
    expect(errors).toEqual([]);
    await informer.stop();
  });

  it("reads a pod log with tailLines", async () => {
    runningPod(h.cluster, "logger");
    const logs = h.cluster.sim.ctx.logs;
    for (const line of ["one", "two", "three"])
      logs.append("default", "logger", "app", h.cluster.clock.now(), line);
    const text = await core.readNamespacedPodLog({
      name: "logger",
      namespace: "default",
      tailLines: 2,
    });
    expect(text).toBe("two\nthree\n");
  });

  it("names the containers when a multi-container pod's log is read without one", async () => {
    runningPod(h.cluster, "multi", ["app", "proxy"]);
    const err = await core
      .readNamespacedPodLog({ name: "multi", namespace: "default" })
      .catch((e) => e);
    expect(err.code).toBe(400);
    expect(String(err.body)).toContain(
      "a container name must be specified for pod multi, choose one of: [app proxy]",
    );
  });

  it("patches a node with a merge patch and reports a missing pod as NotFound", async () => {
    const node = await core.patchNode(
      { name: "n1", body: { metadata: { labels: { zone: "a" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(node.metadata?.labels).toEqual({ zone: "a" });
    const err = await core
      .readNamespacedPod({ name: "nope", namespace: "default" })
      .catch((e) => e);
    expect(err.code).toBe(404);
  });

  it("records every request, and read-only calls make no writes", async () => {
    h.cluster.apiServer?.clearRequests();
    await core.listPodForAllNamespaces();
    await core.readNode({ name: "n1" });
    const reqs = h.cluster.apiServer?.requests() ?? [];
    expect(reqs.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "GET /api/v1/pods 200",
      "GET /api/v1/nodes/n1 200",
    ]);
  });
});
