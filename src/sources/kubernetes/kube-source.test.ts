import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzePodStartup } from "../../diagnose/analyzers/pod-startup.ts";
import { SimCluster } from "../../sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  scenarioClusterOptions,
} from "../../sim/scenarios/index.ts";
import { KubeSource, loadKubeConfig } from "./kube-source.ts";

let cluster: SimCluster;
let source: KubeSource;

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  const scenario = loadScenario("demo");
  cluster = new SimCluster(scenarioClusterOptions(scenario));
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), "kube-source-")), "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  installScenario(cluster, scenario);
  cluster.apply([
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "shop" },
      data: { password: Buffer.from("hunter2").toString("base64") },
    },
  ]);
  cluster.step(30_000);
  source = new KubeSource(loadKubeConfig(kubeconfig));
  await source.start();
});

afterAll(async () => {
  await source.stop();
  await cluster.close();
});

describe("kubernetes source over HTTP", () => {
  it("syncs pods, workloads and namespaces from the API server", () => {
    const snap = source.snapshot();
    expect(snap.deployments.map((d) => d.metadata?.name).sort()).toEqual([
      "api",
      "ledger",
      "web",
      "worker",
    ]);
    expect(snap.pods.some((p) => p.metadata?.name?.startsWith("api-"))).toBe(true);
    expect(
      snap.namespaces.find((n) => n.metadata?.name === "payments")?.metadata?.labels?.[
        "opsloop.dev/protected"
      ],
    ).toBe("true");
  });

  it("keeps ConfigMaps and Secrets as names and key names only", () => {
    const snap = source.snapshot();
    expect(snap.configMaps.find((c) => c.name === "app-config")).toEqual({
      namespace: "shop",
      name: "app-config",
      keys: ["CATALOG_URL", "LOG_LEVEL"],
    });
    expect(snap.secrets.find((c) => c.name === "db")?.keys).toEqual(["password"]);
    const text = JSON.stringify(snap);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain(Buffer.from("hunter2").toString("base64"));
    expect(text).not.toContain("catalog.shop.svc");
  });

  it("notifies changes and follows new objects", async () => {
    let changes = 0;
    const off = source.onChange(() => changes++);
    cluster.apply([
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "api-config", namespace: "shop" },
        data: { DATABASE_URL: "postgres://db" },
      },
    ]);
    await until(() => source.snapshot().configMaps.some((c) => c.name === "api-config"));
    off();
    expect(changes).toBeGreaterThan(0);
  });

  it("returns the same snapshot until an informer changes, then a new one with the change", async () => {
    const before = source.snapshot();
    expect(source.snapshot()).toBe(before);
    cluster.apply([
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "cache-probe", namespace: "shop" },
        spec: { selector: { app: "none" }, ports: [{ port: 80 }] },
      },
    ]);
    await until(() => source.snapshot().services.some((s) => s.metadata?.name === "cache-probe"));
    const after = source.snapshot();
    expect(after).not.toBe(before);
    expect(before.services.some((s) => s.metadata?.name === "cache-probe")).toBe(false);
    // Kinds that did not change keep their list.
    expect(after.nodes).toBe(before.nodes);
    cluster.store.delete("services", "shop", "cache-probe");
    await until(() => !source.snapshot().services.some((s) => s.metadata?.name === "cache-probe"));
  });

  it("feeds the pod-startup analyzer with what the simulated kubelet reports", async () => {
    cluster.store.delete("configmaps", "shop", "api-config");
    await until(() => !source.snapshot().configMaps.some((c) => c.name === "api-config"));
    const findings = await analyzePodStartup(
      source.snapshot(),
      cluster.clock.now(),
      source.readLog,
    );
    const f = findings.find((x) => x.reason === "CreateContainerConfigError");
    expect(f?.subject).toMatchObject({ kind: "Deployment", namespace: "shop", name: "api" });
    expect(f?.rootCause).toContain('ConfigMap "api-config" does not exist in namespace shop');
    expect(f?.affected).toHaveLength(2);
  });

  it("reads container logs through the API", async () => {
    const worker = source.snapshot().pods.find((p) => p.metadata?.name?.startsWith("worker-"));
    const log = await source.readLog("shop", worker?.metadata?.name ?? "", "worker", {
      previous: false,
    });
    expect(log).toContain("worker 3.1.0 consuming queue orders");
  });
});
