/**
 * The executor runs a runbook for one finding: preconditions → per step, targets resolved once
 * → canary (the first target) verified before the rest, then batches of `batchSize` → each
 * target through `runTarget` (guardrails, approval, server-side dry run, snapshot, apply,
 * verify, rollback). The run's state is written to SQLite before each phase; `recover()`
 * resumes or rolls back every run a crash interrupted. Every outcome leaves an audit record.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { type Clock, systemClock } from "../core/clock.ts";
import { newId } from "../core/ids.ts";
import type { ActionSummary, Finding } from "../core/types.ts";
import { type Db, openDb } from "../store/sqlite.ts";
import { apiMessage, kubeClients } from "./actions/kube.ts";
import type { ActionContext } from "./actions/types.ts";
import type { ApprovalStore } from "./approvals/store.ts";
import type { AuditLog } from "./audit.ts";
import type { ClusterActions } from "./cluster-actions.ts";
import { finalStatus, noCluster, recentActions, sameRef } from "./executor/helpers.ts";
import { type PlannedStep, planRunbook } from "./executor/plan.ts";
import { runTarget, type StepDeps } from "./executor/step.ts";
import { readObject, resolveTargets } from "./executor/targets.ts";
import { celHolds, type MetricsReader } from "./executor/verify.ts";
import { GuardrailGate } from "./guardrails/gate.ts";
import type { Policy } from "./guardrails/policy.ts";
import { type Runbook, RunbookSchema } from "./runbook.ts";
import { type RunPhase, type RunState, RunStore } from "./runs/run-store.ts";

export interface ExecutorDeps {
  cluster: ClusterActions;
  /** The cluster the actions change; defaults to `cluster.kube`. */
  kube?: KubeConfig;
  policy: Policy;
  audit: AuditLog;
  /** Cluster time: stamps audit records, restartedAt, rate-limit windows. */
  clock: Clock;
  /** Where runs are persisted (crash safety); an in-memory database when absent. */
  db?: Db;
  approvals?: ApprovalStore;
  /** Share one gate between everything that acts under the same policy in this process. */
  gate?: GuardrailGate;
  metrics?: MetricsReader;
  /** Wall-time poll interval while verifying (default: the runbook's interval). */
  pollMs?: number;
  /** Overrides every runbook's verification timeout (wall ms). */
  verifyTimeoutMs?: number;
  /** How long a run waits for a human decision (wall ms, default one hour). */
  approvalWaitMs?: number;
  approvalPollMs?: number;
  actor?: string;
  /** Real time for timeouts and retries (real seconds even when the cluster is simulated). */
  wall?: Clock;
  /** Waits between polls and retries; a test passes one that steps the simulator instead. */
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Executor {
  readonly runs: RunStore;
  readonly gate: GuardrailGate;
  private readonly deps: ExecutorDeps;
  private actionCtx: ActionContext | undefined;

  constructor(deps: ExecutorDeps) {
    this.deps = deps;
    this.runs = new RunStore(deps.db ?? openDb());
    this.gate = deps.gate ?? new GuardrailGate(deps.policy, () => recentActions(deps.audit));
  }

  /** Runs every step of `runbook` for `finding`; one summary per target acted on (or skipped). */
  async run(
    runbook: Runbook,
    finding: Finding,
    opts: { incidentId?: string } = {},
  ): Promise<ActionSummary[]> {
    const now = this.deps.clock.now();
    const run: RunState = {
      id: newId(),
      runbook: runbook.name,
      finding,
      ...(opts.incidentId ? { incidentId: opts.incidentId } : {}),
      status: "running",
      step: 0,
      targetIndex: 0,
      phase: "planned",
      targets: [],
      done: 0,
      createdAt: now,
      updatedAt: now,
    };
    // The runbook travels with the run, so a restart resumes exactly what was started.
    this.runs.save({ ...run, spec: runbook });
    const blocked = this.blockedReasons(runbook, finding, run.id);
    if (blocked.length) return [this.skip(run, runbook, blocked)];
    return this.continueRun(run, runbook);
  }

  /** What `run` would do, changing nothing: targets, blast radius and verdicts per step. */
  async plan(
    runbook: Runbook,
    finding: Finding,
  ): Promise<{ steps: PlannedStep[]; preconditions: string[] }> {
    const steps = await planRunbook(
      {
        ctx: this.ctx(),
        policy: this.deps.policy,
        audit: this.deps.audit,
        recent: () => recentActions(this.deps.audit),
        namespaceLabels: (ns) => this.deps.cluster.namespaceLabels(ns),
      },
      runbook,
      finding,
    );
    return { steps, preconditions: await this.preconditionProblems(runbook, finding) };
  }

  /** Resumes or rolls back every run a crash interrupted; returns what each did. */
  async recover(): Promise<{ runId: string; phase: RunPhase; actions: ActionSummary[] }[]> {
    const out = [];
    for (const run of this.runs.unfinished()) {
      const rb = RunbookSchema.parse(run.spec);
      this.deps.audit.append({
        actor: this.actor,
        action: "run-recovered",
        target: run.target ?? run.finding.subject,
        why: `${rb.name}: the process stopped during phase ${run.phase}`,
        result: ["apply", "verify", "rollback"].includes(run.phase)
          ? "resuming"
          : "restarting-step",
        details: { runId: run.id, step: run.step, targetIndex: run.targetIndex, phase: run.phase },
      });
      const phase = run.phase;
      // Stopped after a target finished but before the run moved on: that target is done.
      if (phase === "done") run.targetIndex++;
      out.push({ runId: run.id, phase, actions: await this.continueRun(run, rb, phase) });
    }
    return out;
  }

  private get actor() {
    return this.deps.actor ?? "opsloop/agent";
  }

  private ctx(): ActionContext {
    if (this.actionCtx) return this.actionCtx;
    const kc = this.deps.kube ?? this.deps.cluster.kube ?? new KubeConfig();
    this.actionCtx = {
      kc,
      kube: this.deps.kube || this.deps.cluster.kube ? kubeClients(kc) : noCluster(),
      clock: this.deps.clock,
      wall: this.deps.wall ?? systemClock,
      sleep: this.deps.sleep ?? sleep,
    };
    return this.actionCtx;
  }

  private stepDeps(): StepDeps {
    const d = this.deps;
    return {
      ctx: this.ctx(),
      audit: d.audit,
      runs: this.runs,
      gate: this.gate,
      approvals: d.approvals,
      namespaceLabels: (ns) => d.cluster.namespaceLabels(ns),
      metrics: d.metrics,
      preconditions: async () => [],
      actor: this.actor,
      pollMs: d.pollMs,
      verifyTimeoutMs: d.verifyTimeoutMs,
      approvalPollMs: d.approvalPollMs ?? 500,
      approvalWaitMs: d.approvalWaitMs ?? 3_600_000,
    };
  }

  /** The runbook's own per-subject limit: too many runs for this subject this hour. */
  private blockedReasons(rb: Runbook, f: Finding, runId: string): string[] {
    const hourAgo = this.deps.clock.now() - 3_600_000;
    const earlier = this.runs.list({ limit: 500 }).filter(
      (r) =>
        r.runbook === rb.name &&
        r.id !== runId &&
        r.createdAt > hourAgo &&
        sameRef(r.finding.subject, f.subject) &&
        // Runs that acted, or may still act; a denied or rejected run changed nothing.
        r.status !== "skipped" &&
        r.status !== "denied",
    );
    if (earlier.length < rb.limits.maxRunsPerSubjectPerHour) return [];
    return [
      `${rb.name}: ${earlier.length} runs for this subject within 1h (limit ${rb.limits.maxRunsPerSubjectPerHour})`,
    ];
  }

  /** Unmet preconditions (trigger labels, CEL over the subject as read now); empty when they hold. */
  async preconditionProblems(rb: Runbook, f: Finding): Promise<string[]> {
    if (!rb.preconditions.length && !rb.trigger.labels) return [];
    let object: { metadata?: { labels?: Record<string, string> } } | null;
    try {
      object = (await readObject(this.ctx(), f.subject)) as typeof object;
    } catch (e) {
      return [`precondition not checked: ${apiMessage(e)}`];
    }
    const out: string[] = [];
    for (const [k, v] of Object.entries(rb.trigger.labels ?? {}))
      if (object?.metadata?.labels?.[k] !== v)
        out.push(`precondition: the subject is not labelled ${k}=${v}`);
    for (const c of rb.preconditions) {
      const r = celHolds(c.expr, { object, finding: f });
      if (!r.ok)
        out.push(`precondition failed: ${c.message ?? c.expr}${r.error ? ` (${r.error})` : ""}`);
    }
    return out;
  }

  private skip(run: RunState, rb: Runbook, reasons: string[]): ActionSummary {
    const action = rb.steps[0]?.action ?? "none";
    const record = this.deps.audit.append({
      actor: this.actor,
      action,
      target: run.finding.subject,
      why: `${rb.name}: ${run.finding.reason} — ${run.finding.rootCause}`,
      verdict: { allowed: false, reasons },
      result: "skipped",
      details: { runId: run.id, findingId: run.finding.id },
    });
    this.runs.save({
      ...run,
      status: "skipped",
      phase: "done",
      note: reasons.join("; "),
      updatedAt: this.deps.clock.now(),
    });
    return {
      runId: run.id,
      runbook: rb.name,
      action,
      target: run.finding.subject,
      verdict: "denied",
      reasons,
      result: "skipped",
      auditId: record.id,
      time: record.time,
    };
  }

  /** From the run's current step and target on: canary first, then batches, stop at a failure. */
  private async continueRun(
    run: RunState,
    rb: Runbook,
    resumeAt?: RunPhase,
  ): Promise<ActionSummary[]> {
    const out: ActionSummary[] = [];
    const d = this.stepDeps();
    d.preconditions = () => this.preconditionProblems(rb, run.finding);
    const persist = (patch: Partial<RunState>) => {
      Object.assign(run, patch, { updatedAt: this.deps.clock.now() });
      this.runs.save({ ...run, spec: rb });
    };
    d.runs = { save: (r: RunState) => this.runs.save({ ...r, spec: rb }) } as RunStore;
    let resume = resumeAt;
    for (
      ;
      run.step < rb.steps.length;
      persist({ step: run.step + 1, targetIndex: 0, targets: [], approvalId: undefined })
    ) {
      const step = rb.steps[run.step];
      if (!step) break;
      if (!run.targets.length) {
        const all = await resolveTargets(d.ctx, step.target, run.finding);
        persist({ targets: all.slice(0, rb.limits.maxTargets) });
      }
      while (run.targetIndex < run.targets.length) {
        // Canary: the first target alone; after it, `batchSize` targets before the next check.
        const size = run.targetIndex === 0 ? 1 : step.batchSize;
        const batch = run.targets.slice(run.targetIndex, run.targetIndex + size);
        for (const target of batch) {
          persist({ target });
          const s = await runTarget(d, run, rb, resume === "pending_approval" ? undefined : resume);
          resume = undefined;
          out.push(s);
          if (s.result !== "applied" && s.result !== "dry_run") {
            persist({ status: finalStatus(s), phase: "done" });
            return out;
          }
          persist({ targetIndex: run.targetIndex + 1, done: run.done + 1 });
        }
      }
    }
    persist({ status: "succeeded", phase: "done" });
    return out;
  }
}

export { recentActions } from "./executor/helpers.ts";
