/**
 * Root-cause hypotheses for live incidents. The runtime feeds every scrape here; a rolling wide
 * table (per workload: rps, errors, latency, cpu, mem) is kept for the last hour, one row per
 * 15 s at most. When an incident opens or gains signals, `hypotheses()` ranks candidates from
 * the current snapshot (events, rollouts, scaling, node changes), the topology and, for the
 * incident's namespace, those metrics. A pod's service is its owning Deployment, named as the
 * Service in front of it (the convention the call graph's Service names rely on).
 */
import type { Hypothesis } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import type { Sample } from "../../sources/prometheus/scrape.ts";
import type { IncidentRecord } from "../record.ts";
import { emptyTopology, type Topology } from "../topology.ts";
import type { Change } from "./changes.ts";
import { rankHypotheses } from "./hypotheses.ts";
import { WideTableBuilder } from "./scrape-table.ts";
import type { WideTable } from "./wide-table.ts";

export interface IncidentRcaOptions {
  snapshot: () => ClusterSnapshot;
  topology: (snap: ClusterSnapshot) => Topology;
  /** Changes the snapshot cannot show (ConfigMap edits seen on a watch). */
  changes?: () => Change[];
  /** Metrics history kept (default one hour). */
  keepMs?: number;
  /** Hypotheses kept per incident (default 5) and evidence per hypothesis (default 8). */
  maxHypotheses?: number;
  maxEvidence?: number;
}

export class IncidentRca {
  private readonly o: IncidentRcaOptions;
  private readonly table: WideTableBuilder;
  private topology: Topology = emptyTopology();

  constructor(o: IncidentRcaOptions) {
    this.o = o;
    this.table = new WideTableBuilder(
      (l) => {
        const owner = this.topology.podOwner.get(`${l.namespace}/${l.pod}`);
        return owner?.kind === "Deployment" ? `${owner.namespace}/${owner.name}` : undefined;
      },
      { keepMs: o.keepMs ?? 3_600_000, minStepMs: 15_000 },
    );
  }

  /** One scrape's samples at clock time `t`. */
  observe(samples: Sample[], t: number): void {
    this.topology = this.o.topology(this.o.snapshot());
    this.table.add(samples, t);
  }

  /** Ranked hypotheses for an incident at the onset of its recent signals. */
  hypotheses(inc: IncidentRecord): Hypothesis[] {
    const snapshot = this.o.snapshot();
    const namespace =
      inc.subject.namespace ?? inc.findings.find((f) => f.subject.namespace)?.subject.namespace;
    const metrics = namespace ? inNamespace(this.table.table(), namespace) : undefined;
    const ranked = rankHypotheses({
      snapshot,
      topology: this.o.topology(snapshot),
      symptomTime: symptomTime(inc),
      changes: this.o.changes?.(),
      ...(metrics && metrics.series.size > 0 ? { metrics, namespace } : {}),
    });
    // Stored on the incident: the metric ranking's raw rows stay out of it.
    return ranked.slice(0, this.o.maxHypotheses ?? 5).map((h) => ({
      ...h,
      confidence: Number(h.confidence.toFixed(3)),
      score: Number(h.score.toFixed(3)),
      evidence: h.evidence
        .slice(0, this.o.maxEvidence ?? 8)
        .map((e) => ({ type: e.type, text: e.text })),
    }));
  }
}

/**
 * The first onset among the signals that began within 30 min of the newest one: a long-running
 * incident that a new failure joins is ranked around that failure, not its week-old first signal.
 */
function symptomTime(inc: IncidentRecord): number {
  const onsets = inc.signals.map((s) => s.firstAt);
  if (onsets.length === 0) return inc.openedAt;
  const newest = Math.max(...onsets);
  return Math.min(...onsets.filter((t) => t >= newest - 30 * 60_000));
}

function inNamespace(t: WideTable, namespace: string): WideTable {
  const prefix = `${namespace}/`;
  const series = new Map<string, Map<string, number[]>>();
  for (const [svc, m] of t.series)
    if (svc.startsWith(prefix)) series.set(svc.slice(prefix.length), m);
  return { times: t.times, series };
}
