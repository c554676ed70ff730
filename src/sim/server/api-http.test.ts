import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer } from "./api-server.ts";
import { type Harness, runningPod, startHarness } from "./test-harness.ts";

let h: Harness;

function runningPodSpec(name: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { nodeName: "n1", containers: [{ name: "app", image: "app:v1" }] },
  };
}
let url: string;

// biome-ignore lint/suspicious/noExplicitAny: watch event objects are checked field by field.
type WatchLine = { type: string; object: any };

/** Reads a watch stream until `count` events arrived or the server ended it. */
async function readEvents(path: string, count: number, during?: () => void): Promise<WatchLine[]> {
  const ac = new AbortController();
  const res = await fetch(url + path, { signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const events: WatchLine[] = [];
  let buf = "";
  let acted = false;
  const timer = setTimeout(() => ac.abort(), 5000);
  try {
    while (events.length < count) {
      if (!acted && during) {
        acted = true;
        setTimeout(during, 50);
      }
      const { done, value } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
      }
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
) {
  const res = await fetch(url + path, {
    method,
    headers: { "Content-Type": contentType },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}

beforeAll(async () => {
  h = await startHarness();
  url = h.cluster.url;
});

afterAll(async () => {
  await h.close();
});

describe("the simulated API server over HTTP", () => {
  it("filters watch events by label selector and turns selector exits into DELETED", async () => {
    runningPod(h.cluster, "w1");
    const rv = h.cluster.store.resourceVersion;
    const events = await readEvents(
      `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}&labelSelector=tier%3Dfront`,
      2,
      () => {
        runningPod(h.cluster, "w2");
        h.cluster.store.mutate("pods", "default", "w1", (p) => {
          p.metadata.labels = { tier: "front" };
        });
        h.cluster.store.mutate("pods", "default", "w1", (p) => {
          p.metadata.labels = { tier: "back" };
        });
      },
    );
    expect(events.map((e) => `${e.type}:${e.object.metadata.name}`)).toEqual([
      "ADDED:w1",
      "DELETED:w1",
    ]);
  });

  it("sends a 410 Expired ERROR event and closes when the version is compacted away", async () => {
    const old = h.cluster.store.resourceVersion;
    runningPod(h.cluster, "w3");
    h.cluster.store.compact();
    const events = await readEvents(`/api/v1/pods?watch=1&resourceVersion=${Number(old) - 1}`, 5);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "ERROR",
      object: { kind: "Status", code: 410, reason: "Expired" },
    });
  });

  it("ends a watch after timeoutSeconds and renders watch events as Tables", async () => {
    const res = await fetch(
      `${url}/api/v1/pods?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dw3`,
      {
        headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
      },
    );
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].object).toMatchObject({
      kind: "Table",
      rows: [{ cells: ["w3", "1/1", "Running", "0", "0s", "<none>", "n1", "<none>", "<none>"] }],
    });
    expect(lines[0].object.rows[0].object.kind).toBe("PartialObjectMetadata");
  });

  it("sends BOOKMARK events carrying the latest resourceVersion when asked", async () => {
    const server = await startApiServer({
      store: h.cluster.store,
      logs: h.cluster.sim.ctx.logs,
      clock: h.cluster.clock,
      bookmarkIntervalMs: 50,
    });
    const res = await fetch(
      `${server.url}/api/v1/nodes?watch=true&allowWatchBookmarks=true&resourceVersion=${h.cluster.store.resourceVersion}`,
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const line = JSON.parse(
      new TextDecoder().decode((await reader.read()).value).split("\n")[0] as string,
    );
    expect(line).toEqual({
      type: "BOOKMARK",
      object: {
        apiVersion: "v1",
        kind: "Node",
        metadata: { resourceVersion: h.cluster.store.resourceVersion },
      },
    });
    await reader.cancel();
    await server.close();
  });

  it("serves aggregated discovery, and /api/v1 lists pods/eviction for drain", async () => {
    const agg = await fetch(`${url}/apis`, {
      headers: {
        Accept:
          "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
      },
    });
    expect(agg.headers.get("content-type")).toContain("as=APIGroupDiscoveryList");
    const doc = (await agg.json()) as { items: Array<{ metadata: { name: string } }> };
    expect(doc.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain("apps");
    const v1 = await call("GET", "/api/v1");
    expect(v1.body.resources).toContainEqual({
      name: "pods/eviction",
      singularName: "",
      namespaced: true,
      group: "policy",
      version: "v1",
      kind: "Eviction",
      verbs: ["create"],
    });
    expect((await call("GET", "/version")).body.gitVersion).toMatch(/^v1\.32\./);
    const root = await call("GET", "/openapi/v3");
    const apps = await call("GET", root.body.paths["apis/apps/v1"].serverRelativeURL);
    const op = apps.body.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    expect(op["x-kubernetes-group-version-kind"]).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
    });
  });

  it("evicts a pod unless its disruption budget is spent", async () => {
    runningPod(h.cluster, "e1");
    h.cluster.store.create("poddisruptionbudgets.policy", {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "pdb", namespace: "default" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "e1" } } },
      status: { disruptionsAllowed: 1, desiredHealthy: 1, currentHealthy: 2 },
    });
    const eviction = {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: "e1", namespace: "default" },
    };
    const ok = await call("POST", "/api/v1/namespaces/default/pods/e1/eviction", eviction);
    expect(ok.status).toBe(201);
    expect(ok.body.status).toBe("Success");
    expect(
      h.cluster.store.get("poddisruptionbudgets.policy", "default", "pdb")?.status
        .disruptionsAllowed,
    ).toBe(0);
    // Pods are deleted gracefully: gone, or marked with a deletionTimestamp.
    expect(
      h.cluster.store.get("pods", "default", "e1")?.metadata.deletionTimestamp ?? "gone",
    ).toBeTruthy();
    h.cluster.store.create("pods", {
      ...runningPodSpec("e2"),
      metadata: { name: "e2", namespace: "default", labels: { app: "e1" } },
      status: { phase: "Running" },
    });
    const blocked = await call("POST", "/api/v1/namespaces/default/pods/e2/eviction", {
      ...eviction,
      metadata: { name: "e2" },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toBe(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    expect(blocked.body.details.causes[0].reason).toBe("DisruptionBudget");
    expect(
      h.cluster.store.get("pods", "default", "e2")?.metadata.deletionTimestamp,
    ).toBeUndefined();
  });

  it("creates with generateName, honours dryRun and writes only status through /status", async () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "gen-" } };
    const dry = await call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", cm);
    expect(dry.status).toBe(201);
    expect(h.cluster.store.get("configmaps", "default", dry.body.metadata.name)).toBeUndefined();
    const made = await call("POST", "/api/v1/namespaces/default/configmaps", cm);
    expect(made.body.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    const patched = await call(
      "PATCH",
      "/api/v1/namespaces/default/pods/w3/status",
      { spec: { nodeName: "zz" }, status: { phase: "Failed" } },
      "application/merge-patch+json",
    );
    expect(patched.body.status.phase).toBe("Failed");
    expect(patched.body.spec.nodeName).toBe("n1");
  });

  it("explains why a container that has not started has no log", async () => {
    h.cluster.store.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "pull", namespace: "default" },
      spec: { nodeName: "n1", containers: [{ name: "app", image: "nope:1" }] },
      status: {
        phase: "Pending",
        containerStatuses: [
          {
            name: "app",
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: "ImagePullBackOff" } },
          },
        ],
      },
    });
    const r = await call("GET", "/api/v1/namespaces/default/pods/pull/log");
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      'container "app" in pod "pull" is waiting to start: trying and failing to pull image',
    );
  });

  it("follows a log until the client goes away", async () => {
    runningPod(h.cluster, "f1");
    const logs = h.cluster.sim.ctx.logs;
    logs.append("default", "f1", "app", h.cluster.clock.now(), "first");
    const ac = new AbortController();
    const res = await fetch(`${url}/api/v1/namespaces/default/pods/f1/log?follow=true`, {
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    logs.append("default", "f1", "app", h.cluster.clock.now(), "second");
    while (!text.includes("second")) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toBe("first\nsecond\n");
    ac.abort();
  });
});
