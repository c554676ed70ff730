import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../agent/runtime.ts";
import { startRuntime } from "../agent/runtime.ts";
import { POD_BEHAVIOUR_ANNOTATION } from "../sim/behaviour.ts";
import { type Harness, startHarness } from "../sim/server/test-harness.ts";
import { CLUSTER_TOOLS } from "./cluster-tools.ts";
import type { ToolContext } from "./context.ts";
import { ToolRegistry } from "./registry.ts";

let h: Harness;
let runtime: Runtime;
let ctx: ToolContext;
const tools = new ToolRegistry(CLUSTER_TOOLS);
const call = (name: string, input: unknown) =>
  tools.call(ctx, name, input) as Promise<Record<string, unknown>>;

function deployment(name: string, replicas: number, crash = false) {
  const labels = { app: name };
  const annotations = crash
    ? { [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify({ crash: { afterSeconds: 1, exitCode: 1 } }) }
    : {};
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "shop" },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations },
        spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
      },
    },
  };
}

beforeAll(async () => {
  h = await startHarness();
  h.cluster.apply([
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1" },
      spec: {},
      status: { capacity: { cpu: "8", memory: "16Gi", pods: "110" } },
    },
    deployment("web", 3),
    // Crash-looping keeps this deployment unavailable.
    deployment("broken", 1, true),
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "chatty", namespace: "shop" },
      spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    },
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget", shortNames: ["gd"] },
        versions: [{ name: "v1", served: true, storage: true }],
      },
    },
  ]);
  h.cluster.apply([
    {
      apiVersion: "example.com/v1",
      kind: "Gadget",
      metadata: { name: "g1", namespace: "shop" },
      spec: { size: 3 },
    },
  ]);
  h.cluster.step(60_000);
  runtime = await startRuntime({
    kubeconfig: h.kubeconfig,
    clock: h.cluster.clock,
    metricsUrl: false,
    autoStart: false,
  });
  ctx = { ...runtime.ctx, kube: runtime.source.kc };
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await h?.close();
});

describe("cluster read tools against the simulator", () => {
  it("resolves kinds as kubectl does: plural, short name, kind, resource.group and CRDs", async () => {
    for (const kind of ["deployments", "deploy", "Deployment", "deployments.apps"]) {
      const r = await call("list_resources", {
        kind,
        namespace: "shop",
        fields: ["metadata.name"],
      });
      expect(r.kind, kind).toBe("Deployment");
      expect(r.items).toEqual([{ "metadata.name": "broken" }, { "metadata.name": "web" }]);
    }
    const gadgets = await call("list_resources", { kind: "gd", namespace: "shop" });
    expect(gadgets).toMatchObject({ kind: "Gadget", apiVersion: "example.com/v1", returned: 1 });
    const g = await call("get_resource", {
      kind: "gadget",
      name: "g1",
      namespace: "shop",
      fields: ["spec.size"],
    });
    expect(g.object).toEqual({ "spec.size": 3 });
    await expect(call("list_resources", { kind: "widgets" })).rejects.toMatchObject({
      code: "invalid_input",
    });
  });

  it("filters by label selector and drops managedFields from whole objects", async () => {
    const r = await call("list_resources", {
      kind: "pods",
      namespace: "shop",
      labelSelector: "app=web",
    });
    const items = r.items as { metadata: Record<string, unknown>; kind: string }[];
    expect(items).toHaveLength(3);
    for (const p of items) {
      expect(p.kind).toBe("Pod");
      expect(p.metadata).not.toHaveProperty("managedFields");
    }
  });

  it("summarises the cluster: nodes, degraded workloads by name, pods by phase", async () => {
    const o = await call("get_cluster_overview", {});
    expect(o).toMatchObject({
      nodes: { total: 1, ready: 1 },
      workloads: { deployments: { total: 2, healthy: 1, degraded: ["shop/broken"] } },
      untrusted: true,
    });
    expect((o.pods as { total: number }).total).toBe(5);
    expect((o.pods as { crashLooping: string[] }).crashLooping).toEqual([
      expect.stringMatching(/^shop\/broken-/),
    ]);
  });

  it("lists events newest first, filtered by object, type and age", async () => {
    const all = (await call("list_events", { namespace: "shop" })) as {
      events: { lastSeen: string; type: string; object: string }[];
    };
    const times = all.events.map((e) => Date.parse(e.lastSeen));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const warnings = (await call("list_events", {
      namespace: "shop",
      type: "Warning",
    })) as typeof all;
    expect(warnings.events.length).toBeGreaterThan(0);
    expect(warnings.events.every((e) => e.type === "Warning" && e.object.includes("broken"))).toBe(
      true,
    );
    const recent = (await call("list_events", { namespace: "shop", since: "1s" })) as typeof all;
    expect(recent.events.length).toBeLessThan(all.events.length);
    await expect(call("list_events", { since: "soon" })).rejects.toMatchObject({
      code: "invalid_input",
    });
  });

  it("bounds pod logs by lines and bytes, keeping the newest", async () => {
    for (let i = 0; i < 500; i++)
      h.cluster.sim.ctx.logs.append(
        "shop",
        "chatty",
        "app",
        h.cluster.clock.now(),
        `line ${i} ${"x".repeat(60)}`,
      );
    const tail = await call("get_pod_logs", { pod: "chatty", namespace: "shop", tailLines: 5 });
    expect((tail.lines as string[]).map((l) => l.split(" ")[1])).toEqual([
      "495",
      "496",
      "497",
      "498",
      "499",
    ]);
    const small = await call("get_pod_logs", {
      pod: "chatty",
      namespace: "shop",
      tailLines: 500,
      maxBytes: 1024,
    });
    expect(small.truncated).toBe(true);
    expect((small.lines as string[]).at(-1)).toMatch(/^line 499 /);
    expect(JSON.stringify(small.lines).length).toBeLessThan(1200);
    const grep = await call("get_pod_logs", {
      pod: "chatty",
      namespace: "shop",
      grep: "^line 4[0-9]9 ",
    });
    expect((grep.lines as string[]).map((l) => l.split(" ")[1])).toEqual([
      "409",
      "419",
      "429",
      "439",
      "449",
      "459",
      "469",
      "479",
      "489",
      "499",
    ]);
  });
});
