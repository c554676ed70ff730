/**
 * Diagnose a simulated cluster the way `opsloop diagnose` sees a real one: serve it over HTTP,
 * sync a KubeSource (client-node informers) against it, run `diagnose()` on the snapshot, with
 * logs read through the API. Used by the scenario tests, the case corpus and benchmarks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "../core/types.ts";
import type { SimCluster } from "../sim/cluster.ts";
import { KubeSource, loadKubeConfig } from "../sources/kubernetes/kube-source.ts";
import { type DiagnoseOptions, diagnose } from "./index.ts";

export interface SimDiagnosis {
  findings: Finding[];
  /** Milliseconds spent in diagnose() after the informers synced. */
  diagnoseMs: number;
}

/** Listens on a random local port, diagnoses once, and stops listening again. */
export async function diagnoseSim(
  cluster: SimCluster,
  opts: DiagnoseOptions = {},
): Promise<SimDiagnosis> {
  const dir = mkdtempSync(join(tmpdir(), "opsloop-diagnose-"));
  const kubeconfig = join(dir, "kubeconfig");
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  cluster.writeKubeconfig(kubeconfig);
  const source = new KubeSource(loadKubeConfig(kubeconfig));
  try {
    await source.start();
    const started = performance.now();
    const findings = await diagnose(
      { snap: source.snapshot(), now: cluster.clock.now(), readLog: source.readLog },
      opts,
    );
    return { findings, diagnoseMs: performance.now() - started };
  } finally {
    await source.stop();
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
