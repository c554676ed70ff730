/**
 * End-to-end workflows that need the API server, the controllers and the kubelet together:
 * the real kubectl drains a node through the eviction API (a PodDisruptionBudget makes it
 * wait), undoes a rollout and scales a deployment.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SimCluster } from "../src/sim/cluster.ts";
import { type Harness, startHarness } from "../src/sim/server/test-harness.ts";
import type { KubeObject } from "../src/sim/store/types.ts";

const node = (name: string, unschedulable = false): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels: { "kubernetes.io/hostname": name } },
  spec: { unschedulable },
  status: { capacity: { cpu: "4", memory: "16Gi", pods: "110" } },
});

const web = (image: string, replicas = 2): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          { name: "web", image, resources: { requests: { cpu: "100m", memory: "64Mi" } } },
        ],
      },
    },
  },
});

async function waitFor(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("kubectl workflows against the simulator", () => {
  let harness: Harness;
  let cluster: SimCluster;
  const kubectl = {
    run: (args: string[], opts?: { timeoutMs?: number }) => harness.kubectl(args, opts),
    ok: async (args: string[], opts?: { timeoutMs?: number }) => {
      const r = await harness.kubectl(args, { timeoutMs: 60_000, ...opts });
      if (r.code !== 0)
        throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
  };

  beforeEach(async () => {
    harness = await startHarness({ speed: 4 });
    cluster = harness.cluster;
  });

  afterEach(async () => {
    await harness.close();
  });

  const readyPods = (nodeName?: string) =>
    cluster.store
      .list("pods", { labelSelector: "app=web" })
      .filter((p) => !p.metadata.deletionTimestamp)
      .filter((p) => (nodeName ? p.spec?.nodeName === nodeName : true))
      .filter((p) =>
        (p.status?.conditions ?? []).some(
          (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
        ),
      );

  it("drains a node through evictions, waiting while the PodDisruptionBudget blocks", async () => {
    // Both replicas land on node-a because node-b starts cordoned.
    cluster.apply([node("node-a"), node("node-b", true), web("nginx:1.27")]);
    cluster.apply([
      {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "web", namespace: "default" },
        spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } },
      },
    ]);
    cluster.start();
    await waitFor("two ready pods on node-a", () => readyPods("node-a").length === 2);
    await kubectl.ok(["uncordon", "node-b"]);

    const out = await kubectl.run(["drain", "node-a", "--ignore-daemonsets", "--timeout=90s"], {
      timeoutMs: 100_000,
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr + out.stdout).toContain(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    expect(out.stdout).toContain("node/node-a drained");
    const nodeA = cluster.store.get("nodes", undefined, "node-a");
    expect(nodeA?.spec?.unschedulable).toBe(true);
    await waitFor("both replicas ready on node-b", () => readyPods("node-b").length === 2);
  });

  it("undoes a rollout to the previous revision's template", async () => {
    cluster.apply([node("node-a"), web("nginx:1.27")]);
    cluster.start();
    await waitFor("v1 ready", () => readyPods().length === 2);
    await kubectl.ok(["set", "image", "deployment/web", "web=nginx:1.28"]);
    await kubectl.ok(["rollout", "status", "deployment/web", "--timeout=60s"], {
      timeoutMs: 70_000,
    });
    const history = await kubectl.ok(["rollout", "history", "deployment/web"]);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);

    const undo = await kubectl.ok(["rollout", "undo", "deployment/web"]);
    expect(undo).toContain("deployment.apps/web rolled back");
    await kubectl.ok(["rollout", "status", "deployment/web", "--timeout=60s"], {
      timeoutMs: 70_000,
    });
    const image = await kubectl.ok([
      "get",
      "deployment",
      "web",
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    expect(image).toBe("nginx:1.27");
    const revisions = cluster.store
      .list("replicasets.apps", { labelSelector: "app=web" })
      .map((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"])
      .sort();
    expect(revisions).toEqual(["2", "3"]);
  });

  it("scales a deployment and the replica set follows", async () => {
    cluster.apply([node("node-a"), web("nginx:1.27", 1)]);
    cluster.start();
    await waitFor("one ready pod", () => readyPods().length === 1);
    expect(await kubectl.ok(["scale", "deployment/web", "--replicas=3"])).toContain(
      "deployment.apps/web scaled",
    );
    await waitFor("three ready pods", () => readyPods().length === 3);
    const rsReplicas = cluster.store.list("replicasets.apps", { labelSelector: "app=web" })[0]?.spec
      ?.replicas;
    expect(rsReplicas).toBe(3);
  });
});
