import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimCluster } from "../cluster.ts";

let cluster: SimCluster;
let url: string;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url + path, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    body: text.startsWith("{") ? JSON.parse(text) : text,
  };
}

function configMap(name: string, labels: Record<string, string>) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", labels } };
}

beforeAll(async () => {
  cluster = new SimCluster({
    extraRoutes: {
      "/metrics": () => ({ contentType: "text/plain; version=0.0.4", body: "up 1\n" }),
    },
  });
  url = await cluster.listen();
});

afterAll(async () => {
  await cluster.close();
});

describe("the simulated API server's smaller endpoints", () => {
  it("answers health checks and serves extra routes as given", async () => {
    expect((await call("GET", "/healthz")).body).toBe("ok");
    expect((await call("GET", "/readyz")).body).toBe("ok");
    const metrics = await call("GET", "/metrics");
    expect(metrics).toMatchObject({
      status: 200,
      type: "text/plain; version=0.0.4",
      body: "up 1\n",
    });
  });

  it("deletes a collection by label selector", async () => {
    cluster.store.create("configmaps", configMap("a", { batch: "1" }));
    cluster.store.create("configmaps", configMap("b", { batch: "1" }));
    cluster.store.create("configmaps", configMap("c", { batch: "2" }));
    const r = await call("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=batch%3D1");
    expect(r.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      "a",
      "b",
    ]);
    expect(
      cluster.store.list("configmaps", { namespace: "default" }).map((o) => o.metadata.name),
    ).toEqual(["c"]);
  });

  it("renders a table without row objects given includeObject=None, and pages with limit", async () => {
    cluster.store.create("configmaps", configMap("d", {}));
    const accept = { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" };
    const r = await call(
      "GET",
      "/api/v1/namespaces/default/configmaps?includeObject=None&limit=1",
      undefined,
      accept,
    );
    expect(r.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      "Name",
      "Data",
      "Age",
    ]);
    expect(r.body.rows).toEqual([{ cells: ["c", 0, "0s"] }]);
    const next = await call(
      "GET",
      `/api/v1/namespaces/default/configmaps?limit=1&continue=${r.body.metadata.continue}`,
    );
    expect(next.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      "d",
    ]);
    expect(next.body.metadata.continue).toBeUndefined();
  });

  it("binds a pod to a node once", async () => {
    cluster.store.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: { containers: [{ name: "app", image: "app:v1" }] },
    });
    const binding = {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "p" },
      target: { kind: "Node", name: "n1" },
    };
    expect((await call("POST", "/api/v1/namespaces/default/pods/p/binding", binding)).status).toBe(
      201,
    );
    expect(cluster.store.get("pods", "default", "p")?.spec.nodeName).toBe("n1");
    const again = await call("POST", "/api/v1/namespaces/default/pods/p/binding", binding);
    expect(again.status).toBe(409);
  });

  it("reads and writes the Scale of a deployment", async () => {
    cluster.store.create("deployments.apps", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "d" } },
        template: {
          metadata: { labels: { app: "d" } },
          spec: { containers: [{ name: "c", image: "c:1" }] },
        },
      },
    });
    const scale = await call("GET", "/apis/apps/v1/namespaces/default/deployments/d/scale");
    expect(scale.body).toMatchObject({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      spec: { replicas: 1 },
      status: { selector: "app=d" },
    });
    const put = await call("PUT", "/apis/apps/v1/namespaces/default/deployments/d/scale", {
      ...scale.body,
      spec: { replicas: 4 },
    });
    expect(put.body.spec.replicas).toBe(4);
    expect(cluster.store.get("deployments.apps", "default", "d")?.spec.replicas).toBe(4);
  });

  it("rejects protobuf bodies with 415 and unknown paths with a NotFound Status", async () => {
    const pb = await call(
      "POST",
      "/api/v1/namespaces/default/configmaps",
      {},
      { "Content-Type": "application/vnd.kubernetes.protobuf" },
    );
    expect(pb.status).toBe(415);
    const missing = await call("GET", "/apis/example.com/v1/things");
    expect(missing.body).toMatchObject({ kind: "Status", code: 404, reason: "NotFound" });
  });

  it("watches events through the events.k8s.io/v1 view", async () => {
    const ac = new AbortController();
    const res = await fetch(
      `${url}/apis/events.k8s.io/v1/namespaces/default/events?watch=true&resourceVersion=${cluster.store.resourceVersion}`,
      { signal: ac.signal },
    );
    const pod = cluster.store.get("pods", "default", "p");
    if (!pod) throw new Error("pod p is missing");
    cluster.sim.ctx.events.record(
      pod,
      "Normal",
      "Scheduled",
      "Successfully assigned default/p to n1",
      { component: "default-scheduler" },
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const ev = JSON.parse(
      new TextDecoder().decode((await reader.read()).value).split("\n")[0] as string,
    );
    expect(ev.type).toBe("ADDED");
    expect(ev.object).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      reason: "Scheduled",
      note: "Successfully assigned default/p to n1",
      regarding: { kind: "Pod", name: "p" },
      reportingController: "default-scheduler",
    });
    ac.abort();
  });

  it("ends a log follow when the container stops", async () => {
    cluster.store.mutate("pods", "default", "p", (d) => {
      d.status = {
        phase: "Running",
        containerStatuses: [{ name: "app", restartCount: 0, state: { running: {} } }],
      };
    });
    cluster.sim.ctx.logs.append("default", "p", "app", cluster.clock.now(), "working");
    const res = await fetch(`${url}/api/v1/namespaces/default/pods/p/log?follow=true`);
    setTimeout(() => {
      cluster.sim.ctx.logs.append("default", "p", "app", cluster.clock.now(), "bye");
      cluster.store.mutate("pods", "default", "p", (d) => {
        d.status.containerStatuses[0].state = { terminated: { exitCode: 0, reason: "Completed" } };
      });
    }, 50);
    expect(await res.text()).toBe("working\nbye\n");
  });

  it("stops serving a custom resource when its CRD is deleted", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Cluster",
        names: { plural: "gadgets", kind: "Gadget" },
        versions: [{ name: "v1", served: true, storage: true }],
      },
    };
    await call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    const made = await call("POST", "/apis/example.com/v1/gadgets", {
      apiVersion: "example.com/v1",
      kind: "Gadget",
      metadata: { name: "g" },
    });
    expect(made.status).toBe(201);
    expect((await call("GET", "/apis/example.com/v1")).body.resources[0]).toMatchObject({
      name: "gadgets",
      namespaced: false,
      kind: "Gadget",
    });
    await call(
      "DELETE",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com",
    );
    expect((await call("GET", "/apis/example.com/v1/gadgets")).status).toBe(404);
  });
});
