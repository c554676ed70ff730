import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crashingPod, type Harness, runningPod, startHarness } from "./test-harness.ts";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const { cluster } = h;
  cluster.store.create("namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "shop" },
  });
  const crash = crashingPod(cluster, "cart", "shop");
  runningPod(cluster, "web");
  cluster.store.create("nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n1", labels: { "node-role.kubernetes.io/worker": "" } },
    spec: {},
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      nodeInfo: { kubeletVersion: "v1.32.4" },
    },
  });
  cluster.sim.ctx.events.record(
    crash,
    "Warning",
    "BackOff",
    "Back-off restarting failed container app in pod cart_shop(x)",
    { component: "kubelet", host: "n1" },
    "spec.containers{app}",
  );
  cluster.store.create("secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "default" },
    type: "Opaque",
    data: { password: Buffer.from("hunter2").toString("base64") },
  });
  const logs = cluster.sim.ctx.logs;
  const t = cluster.clock.now();
  logs.append("shop", "cart", "app", t - 125_000, "starting cart");
  logs.append("shop", "cart", "app", t - 121_000, "panic: config missing");
  logs.rotate("shop", "cart", "app");
  logs.append("default", "web", "app", t - 1000, "GET / 200");
  logs.append("default", "web", "app", t, "GET /health 200");
});

afterAll(async () => {
  await h.close();
});

describe("kubectl reads from the simulated API server", () => {
  it("lists pods in every namespace with the STATUS and RESTARTS columns of printPod", async () => {
    const r = await h.kubectl(["get", "pods", "-A"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(r.stdout).toMatch(/shop\s+cart\s+0\/1\s+CrashLoopBackOff\s+3 \(2m ago\)/);
    expect(r.stdout).toMatch(/default\s+web\s+1\/1\s+Running\s+0/);
  });

  it("prints a pod as YAML with its status", async () => {
    const r = await h.kubectl(["get", "pod", "cart", "-n", "shop", "-o", "yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("name: cart");
    expect(r.stdout).toContain("reason: CrashLoopBackOff");
  });

  it("describes a pod with its events", async () => {
    const r = await h.kubectl(["describe", "pod", "cart", "-n", "shop"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container app/,
    );
  });

  it("reads the current and the previous container log", async () => {
    const cur = await h.kubectl(["logs", "web"]);
    expect(cur.stdout).toBe("GET / 200\nGET /health 200\n");
    const prev = await h.kubectl(["logs", "cart", "-n", "shop", "--previous"]);
    expect(prev.stdout).toBe("starting cart\npanic: config missing\n");
    const tail = await h.kubectl(["logs", "web", "--tail=1", "--timestamps"]);
    expect(tail.stdout).toBe("2026-01-05T00:00:00Z GET /health 200\n");
  });

  it("refuses --previous with the API server's message when there is no previous instance", async () => {
    const r = await h.kubectl(["logs", "web", "--previous"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('previous terminated container "app" in pod "web" not found');
  });

  it("lists events in a namespace and filters them by field server-side", async () => {
    const r = await h.kubectl(["get", "events", "-n", "shop"]);
    expect(r.stdout).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    expect(r.stdout).toMatch(/Warning\s+BackOff\s+pod\/cart/);
    const none = await h.kubectl(["get", "events", "-A", "--field-selector", "type=Normal"]);
    expect(none.stdout).not.toContain("BackOff");
  });

  it("serves the events.k8s.io view of the same events", async () => {
    const r = await h.kubectl(["get", "events.v1.events.k8s.io", "-n", "shop", "-o", "json"]);
    const list = JSON.parse(r.stdout);
    expect(list.items[0]).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      reason: "BackOff",
      regarding: { name: "cart" },
      deprecatedCount: 1,
    });
  });

  it("shows nodes, secrets (counts only) and the `all` category", async () => {
    const nodes = await h.kubectl(["get", "nodes"]);
    expect(nodes.stdout).toMatch(/n1\s+Ready\s+worker\s+\S+\s+v1\.32\.4/);
    const secrets = await h.kubectl(["get", "secrets"]);
    expect(secrets.stdout).toMatch(/db\s+Opaque\s+1/);
    expect(secrets.stdout).not.toContain("hunter2");
    const all = await h.kubectl(["get", "all", "-n", "shop"]);
    expect(all.stdout).toContain("pod/cart");
    const multi = await h.kubectl(["get", "deploy,po"]);
    expect(multi.code).toBe(0);
    expect(multi.stdout).toContain("pod/web");
  });

  it("prints a table row for each watch event of `get pods -w`", async () => {
    const watching = h.kubectl(["get", "pods", "-w"], { timeoutMs: 4000 });
    await new Promise((r) => setTimeout(r, 1500));
    h.cluster.store.mutate("pods", "default", "web", (p) => {
      p.status.containerStatuses[0].state = { waiting: { reason: "ImagePullBackOff" } };
      p.status.containerStatuses[0].ready = false;
    });
    const r = await watching;
    expect(r.stdout).toMatch(/web\s+1\/1\s+Running/);
    expect(r.stdout).toMatch(/web\s+0\/1\s+ImagePullBackOff/);
  });
});
