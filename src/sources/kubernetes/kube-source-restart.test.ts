import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SimCluster } from "../../sim/cluster.ts";
import { KubeSource, loadKubeConfig } from "./kube-source.ts";

async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cluster = new SimCluster();
let source: KubeSource | undefined;

afterAll(async () => {
  await source?.stop();
  await cluster.close();
});

describe("kubernetes source recovery", () => {
  it("restarts its informers with backoff after the API server goes away and comes back", async () => {
    const url = await cluster.listen({ port: 0, host: "127.0.0.1" });
    const port = Number(new URL(url).port);
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "restart-")), "kubeconfig");
    cluster.writeKubeconfig(kubeconfig);
    source = new KubeSource(loadKubeConfig(kubeconfig));
    await source.start();
    expect(source.snapshot().namespaces.map((n) => n.metadata?.name)).toContain("kube-system");

    await cluster.close();
    await until(() => (source?.errors.length ?? 0) > 0);
    cluster.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "after-outage" } }]);
    await cluster.listen({ port, host: "127.0.0.1" });
    await until(
      () => source?.snapshot().namespaces.some((n) => n.metadata?.name === "after-outage") ?? false,
    );
  }, 30_000);
});
