/**
 * The loop: sources (informer snapshot, scraped metrics) → analyzer and detector → incidents →
 * runbooks through guardrails and the executor → audit. Each tick evaluates the snapshot;
 * remediation runs in the background (verification takes wall time) at most once per incident
 * opening, and every incident change is emitted as an event. A runbook that already ran for
 * the same subject and whose finding came back is not run again: the incident escalates, as
 * a restart does not fix a leak (no remediation loop until the rate limit stops it).
 */
import { EventEmitter } from "node:events";
import { setImmediate } from "node:timers/promises";
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
  /** Findings from other pipelines (live anomaly detection, forecasts), merged into every tick. */
  extraFindings?: () => Finding[];
  /** A finding back within this time after its runbook applied means the fix did not hold (default 1 h). */
  repeatWindowMs?: number;
  actor?: string;
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
    return [...this.problems, ...this.predictions, ...(this.deps.extraFindings?.() ?? [])];
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
    // Each stage runs to completion on a large cluster; let requests and the SSE feed in between.
    await setImmediate();
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

  /** Resumes or rolls back runs a crash interrupted, recording them on their incidents. */
  async recover(): Promise<ActionSummary[]> {
    const out: ActionSummary[] = [];
    for (const r of await this.deps.executor.recover()) {
      const run = this.deps.executor.runs.get(r.runId);
      for (const a of r.actions) {
        out.push(a);
        const latest = run?.incidentId
          ? this.deps.incidents.recordAction(run.incidentId, a, this.deps.clock.now())
          : undefined;
        if (latest) this.emit("action", latest, a);
      }
      if (run?.incidentId) this.remediated.add(run.incidentId);
    }
    return out;
  }

  private maybeRemediate(incident: Incident): void {
    if (this.remediated.has(incident.id)) return;
    const finding = incident.findings[0];
    if (!finding) return;
    const matching = this.deps.runbooks.filter((r) => matches(r, finding));
    if (!matching.length) return;
    // The runbook that resolved a similar past incident is tried first.
    const order = this.deps.incidents.knowledge.proposeRunbooks(
      incident,
      matching.map((r) => r.name),
    );
    const candidates = order.flatMap((n) => matching.filter((r) => r.name === n));
    this.remediated.add(incident.id);
    const p = this.remediate(incident, finding, candidates).catch((e: unknown) => {
      this.emit("error", e);
    });
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private async remediate(incident: Incident, finding: Finding, candidates: Runbook[]) {
    let runbook: Runbook | undefined;
    for (const r of candidates)
      if (!(await this.deps.executor.preconditionProblems(r, finding)).length) {
        runbook = r;
        break;
      }
    if (!runbook) return;
    const repeat = this.ineffectiveRepeat(runbook, finding);
    const actions = repeat
      ? [this.escalation(runbook, finding, repeat)]
      : await this.deps.executor.run(runbook, finding, { incidentId: incident.id });
    for (const a of actions) {
      const latest = this.deps.incidents.recordAction(incident.id, a, this.deps.clock.now());
      if (latest) this.emit("action", latest, a);
    }
  }

  /** The earlier successful run of this runbook on this subject, if the finding came back after it. */
  private ineffectiveRepeat(runbook: Runbook, f: Finding) {
    const since = this.deps.clock.now() - (this.deps.repeatWindowMs ?? 3_600_000);
    return this.deps.executor.runs
      .list({ limit: 500 })
      .find(
        (r) =>
          r.runbook === runbook.name &&
          r.status === "succeeded" &&
          r.updatedAt > since &&
          r.finding.subject.kind === f.subject.kind &&
          (r.finding.subject.namespace ?? "") === (f.subject.namespace ?? "") &&
          r.finding.subject.name === f.subject.name,
      );
  }

  private escalation(
    runbook: Runbook,
    f: Finding,
    earlier: { id: string; updatedAt: number },
  ): ActionSummary {
    const minutes = Math.round((this.deps.clock.now() - earlier.updatedAt) / 60_000);
    const action = runbook.steps[0]?.action ?? "none";
    const reason = `${runbook.name} already ran on ${f.subject.kind} ${f.subject.namespace ? `${f.subject.namespace}/` : ""}${f.subject.name} ${minutes} min ago and ${f.reason} came back: the fix does not hold, escalating to a human`;
    const record = this.deps.audit.append({
      actor: this.deps.actor ?? "opsloop/agent",
      action,
      target: f.subject,
      why: `${runbook.name}: ${f.reason} — ${f.rootCause}`,
      verdict: { allowed: false, reasons: [reason] },
      result: "escalated",
      details: { findingId: f.id, earlierRunId: earlier.id },
    });
    return {
      runId: earlier.id,
      runbook: runbook.name,
      action,
      target: f.subject,
      verdict: "denied",
      reasons: [reason],
      result: "skipped",
      auditId: record.id,
      time: record.time,
    };
  }
}
