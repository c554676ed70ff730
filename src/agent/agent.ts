/**
 * The loop: sources (informer snapshot, scraped metrics) → analyzer and detector → incidents →
 * runbooks through guardrails and the executor → audit. Each tick evaluates the snapshot;
 * remediation runs in the background (verification takes wall time) at most once per incident
 * opening, and every incident change is emitted as an event.
 */
import { EventEmitter } from "node:events";
import type { AuditLog } from "../act/audit.ts";
import type { Executor } from "../act/executor.ts";
import { matches, type Runbook } from "../act/runbook.ts";
import type { Clock } from "../core/clock.ts";
import type { ActionSummary, Finding, Incident } from "../core/types.ts";
import { TrendToLimitDetector } from "../detect/trend-to-limit.ts";
import { diagnose } from "../diagnose/index.ts";
import type { IncidentEvent, IncidentManager } from "../incidents/incidents.ts";
import type { ClusterSnapshot, LogReader } from "../sources/kubernetes/snapshot.ts";
import type { Sample } from "../sources/prometheus/scrape.ts";
import { memoryPredictions } from "./memory-predictions.ts";

export interface SnapshotSource {
  snapshot(): ClusterSnapshot;
  readLog?: LogReader;
}

export interface AgentDeps {
  source: SnapshotSource;
  incidents: IncidentManager;
  executor: Executor;
  audit: AuditLog;
  runbooks: Runbook[];
  clock: Clock;
  detector?: TrendToLimitDetector;
}

export interface AgentEvents {
  incident: [IncidentEvent];
  action: [Incident, ActionSummary];
  error: [unknown];
}

export class Agent extends EventEmitter<AgentEvents> {
  readonly deps: AgentDeps;
  readonly detector: TrendToLimitDetector;
  private problems: Finding[] = [];
  private predictions: Finding[] = [];
  private readonly remediated = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(deps: AgentDeps) {
    super();
    this.deps = deps;
    this.detector = deps.detector ?? new TrendToLimitDetector();
  }

  /** Current findings: problems from the last tick and predictions from the last scrape. */
  findings(): Finding[] {
    return [...this.problems, ...this.predictions];
  }

  predictionsNow(): Finding[] {
    return [...this.predictions];
  }

  /** Feeds one scrape's samples to the detectors. */
  observeSamples(samples: Sample[]): void {
    this.predictions = memoryPredictions(samples, this.deps.source.snapshot(), this.detector);
  }

  async tick(): Promise<IncidentEvent[]> {
    const now = this.deps.clock.now();
    const snap = this.deps.source.snapshot();
    this.problems = await diagnose({ snap, now, readLog: this.deps.source.readLog });
    const events = this.deps.incidents.ingest(this.findings(), now);
    for (const e of events) {
      if (e.type === "resolved") this.remediated.delete(e.incident.id);
      this.emit("incident", e);
      if (e.type !== "resolved") this.maybeRemediate(e.incident);
    }
    return events;
  }

  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.safeTick(), intervalMs);
    void this.safeTick();
  }

  /** Stops ticking and waits for remediations in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.running]);
  }

  private async safeTick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.tick();
    } catch (e) {
      this.emit("error", e);
    } finally {
      this.ticking = false;
    }
  }

  private maybeRemediate(incident: Incident): void {
    if (this.remediated.has(incident.id)) return;
    const finding = incident.findings[0];
    const runbook = finding && this.deps.runbooks.find((r) => matches(r, finding));
    if (!finding || !runbook) return;
    this.remediated.add(incident.id);
    const p = this.deps.executor
      .run(runbook, finding)
      .then((actions) => {
        for (const a of actions) {
          const latest = this.deps.incidents.recordAction(incident.id, a, this.deps.clock.now());
          if (latest) this.emit("action", latest, a);
        }
      })
      .catch((e: unknown) => {
        this.emit("error", e);
      });
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }
}
