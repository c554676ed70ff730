/**
 * Records a simulated cluster's telemetry as the wide RCA table: every `everyMs` the simulator's
 * `/metrics` exposition is rendered, parsed as a Prometheus scrape would be, and folded into
 * per-service rows (the service of a pod is its `app` label, as the scenarios label them).
 */
import type {
  CoreV1Event,
  V1Deployment,
  V1Node,
  V1Pod,
  V1ReplicaSet,
  V1Service,
} from "@kubernetes/client-node";
import { WideTableBuilder } from "../../src/incidents/rca/scrape-table.ts";
import type { WideTable } from "../../src/incidents/rca/wide-table.ts";
import type { SimCluster } from "../../src/sim/cluster.ts";
import { type ClusterSnapshot, emptySnapshot } from "../../src/sources/kubernetes/snapshot.ts";
import { parseExposition } from "../../src/sources/prometheus/scrape.ts";

export class SimRecorder {
  private readonly cluster: SimCluster;
  private readonly builder: WideTableBuilder;
  private readonly appOf = new Map<string, string>();

  constructor(cluster: SimCluster, namespace: string) {
    this.cluster = cluster;
    this.builder = new WideTableBuilder((l) =>
      l.namespace === namespace && l.pod ? this.appOf.get(l.pod) : undefined,
    );
  }

  scrape(): void {
    for (const p of this.cluster.store.list("pods")) {
      const app = p.metadata.labels?.app;
      if (app) this.appOf.set(p.metadata.name as string, app);
    }
    const now = this.cluster.clock.now();
    this.builder.add(parseExposition(this.cluster.telemetry.render(), now), now);
  }

  /** Steps the cluster for `durationMs`, scraping every `everyMs`. */
  run(durationMs: number, everyMs = 15_000): void {
    for (let t = 0; t < durationMs; t += everyMs) {
      this.cluster.step(everyMs);
      this.scrape();
    }
  }

  table(): WideTable {
    return this.builder.table();
  }
}

/** The simulator's state as the snapshot the informers would give (the kinds RCA reads). */
export function clusterSnapshot(cluster: SimCluster): ClusterSnapshot {
  const s = cluster.store;
  return {
    ...emptySnapshot(),
    pods: s.list("pods") as V1Pod[],
    replicaSets: s.list("replicasets.apps") as V1ReplicaSet[],
    deployments: s.list("deployments.apps") as V1Deployment[],
    nodes: s.list("nodes") as V1Node[],
    services: s.list("services") as V1Service[],
    events: s.list("events") as unknown as CoreV1Event[],
  };
}
