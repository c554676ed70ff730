/**
 * Diagnose a simulated cluster the way `opsloop diagnose` sees a real one: serve it over HTTP,
 * create objects through the API with the official client (admission, defaults and all), sync a
 * KubeSource (client-node informers) against it, run `diagnose()` on the snapshot, with logs read
 * through the API. Used by the scenario tests, the case corpus and benchmarks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from "@kubernetes/client-node";
import type { Finding } from "../core/types.ts";
import type { SimCluster } from "../sim/cluster.ts";
import { applyOrder } from "../sim/scenarios/manifests.ts";
import type { KubeObject } from "../sim/store/types.ts";
import { KubeSource, loadKubeConfig } from "../sources/kubernetes/kube-source.ts";
import { type DiagnoseOptions, diagnose } from "./index.ts";

export interface SimDiagnosis {
  findings: Finding[];
  /** Milliseconds spent in diagnose() after the informers synced. */
  diagnoseMs: number;
}

export class SimSession {
  readonly cluster: SimCluster;
  readonly kc: KubeConfig;
  private readonly dir: string;

  private constructor(cluster: SimCluster, kc: KubeConfig, dir: string) {
    this.cluster = cluster;
    this.kc = kc;
    this.dir = dir;
  }

  /** Listens on a random local port and writes a kubeconfig for it. */
  static async start(cluster: SimCluster): Promise<SimSession> {
    const dir = mkdtempSync(join(tmpdir(), "opsloop-diagnose-"));
    const kubeconfig = join(dir, "kubeconfig");
    await cluster.listen({ port: 0, host: "127.0.0.1" });
    cluster.writeKubeconfig(kubeconfig);
    return new SimSession(cluster, loadKubeConfig(kubeconfig), dir);
  }

  /** Creates the objects through the API (namespaces and classes first), like `kubectl create -f`. */
  async apply(objects: KubeObject[]): Promise<void> {
    const api = KubernetesObjectApi.makeApiClient(this.kc);
    for (const o of applyOrder(objects)) {
      const obj = o as KubernetesObject;
      const header = {
        apiVersion: obj.apiVersion as string,
        kind: obj.kind as string,
        metadata: { name: obj.metadata?.name as string, namespace: obj.metadata?.namespace },
      };
      const exists = await api.read(header).then(
        () => true,
        () => false,
      );
      // A second apply (a rollout) replaces the containers list: a merge patch, not a create.
      if (exists)
        await api.patch(
          obj,
          undefined,
          undefined,
          "opsloop-test",
          undefined,
          PatchStrategy.MergePatch,
        );
      else await api.create(obj);
    }
  }

  async diagnose(opts: DiagnoseOptions = {}): Promise<SimDiagnosis> {
    const source = new KubeSource(this.kc);
    try {
      await source.start();
      const started = performance.now();
      const findings = await diagnose(
        { snap: source.snapshot(), now: this.cluster.clock.now(), readLog: source.readLog },
        opts,
      );
      return { findings, diagnoseMs: performance.now() - started };
    } finally {
      await source.stop();
    }
  }

  async close(): Promise<void> {
    await this.cluster.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Listens on a random local port, diagnoses once, and stops listening again. */
export async function diagnoseSim(
  cluster: SimCluster,
  opts: DiagnoseOptions = {},
): Promise<SimDiagnosis> {
  const session = await SimSession.start(cluster);
  try {
    return await session.diagnose(opts);
  } finally {
    await session.close();
  }
}
