/**
 * One action on one target, persisted before every phase: guard (policy through the gate,
 * approval when required) → server-side dry run → snapshot → apply → verify → rollback when
 * verification fails. `resumeAt` lets a recovered run re-enter after a crash at the phase the
 * store recorded; from `apply` on the guardrails already allowed the action.
 */
import type { ActionSummary, Finding, ObjectRef } from "../../core/types.ts";
import { actionNamed } from "../actions/index.ts";
import type { ActionContext, AnyAction } from "../actions/types.ts";
import type { ApprovalStore } from "../approvals/store.ts";
import type { AuditLog } from "../audit.ts";
import type { GuardrailGate, Ticket } from "../guardrails/gate.ts";
import { type Verdict, verdictState } from "../guardrails/policy.ts";
import type { Runbook } from "../runbook.ts";
import type { RunPhase, RunState, RunStore } from "../runs/run-store.ts";
import { policyObject } from "./targets.ts";
import { type MetricsReader, verifyTarget } from "./verify.ts";

export interface StepDeps {
  ctx: ActionContext;
  audit: AuditLog;
  runs: RunStore;
  gate: GuardrailGate;
  approvals?: ApprovalStore;
  namespaceLabels(ns: string): Promise<Record<string, string> | undefined>;
  metrics?: MetricsReader;
  /** Unmet runbook preconditions for the run's subject (empty when they hold). */
  preconditions(): Promise<string[]>;
  actor: string;
  pollMs?: number;
  verifyTimeoutMs?: number;
  approvalPollMs: number;
  approvalWaitMs: number;
}

type Result = ActionSummary["result"];
interface Outcome {
  verdict: Verdict;
  result: Result;
  details: Record<string, unknown>;
  /** The audit record's result when it is not derived from the verdict. */
  auditResult?: string;
}

const ALLOWED: Verdict = {
  allowed: true,
  needsApproval: false,
  dryRunOnly: false,
  reasons: ["allowed before a restart"],
};

export async function runTarget(
  d: StepDeps,
  run: RunState,
  rb: Runbook,
  resumeAt?: RunPhase,
): Promise<ActionSummary> {
  d = { ...d, ctx: { ...d.ctx, finding: run.finding } };
  const step = rb.steps[run.step];
  const target = run.target as ObjectRef;
  if (!step) throw new Error(`run ${run.id} has no step ${run.step}`);
  const action = actionNamed(step.action);
  const params = action.params.parse(step.params);
  const save = (phase: RunPhase, extra: Partial<RunState> = {}) => {
    Object.assign(run, extra, { phase, updatedAt: d.ctx.clock.now() });
    d.runs.save(run);
  };
  let outcome: Outcome;
  try {
    outcome =
      resumeAt && ["apply", "verify", "rollback"].includes(resumeAt)
        ? await applyAndVerify(
            d,
            run,
            rb,
            action,
            params,
            target,
            ALLOWED,
            undefined,
            save,
            resumeAt,
          )
        : await guarded(d, run, rb, action, params, target, save);
  } catch (e) {
    outcome = { verdict: ALLOWED, result: "failed", details: { error: (e as Error).message } };
  }
  save("done", { status: "running" });
  const record = d.audit.append({
    actor: d.actor,
    action: action.name,
    target,
    why: `${rb.name}: ${run.finding.reason} — ${run.finding.rootCause}`,
    verdict: { allowed: outcome.verdict.allowed, reasons: outcome.verdict.reasons },
    result: outcome.auditResult ?? auditResult(outcome),
    details: { runId: run.id, findingId: run.finding.id, step: run.step, ...outcome.details },
  });
  const state = verdictState(outcome.verdict);
  return {
    runId: run.id,
    runbook: rb.name,
    action: action.name,
    target,
    verdict: state === "dry_run_only" ? "denied" : state,
    reasons: outcome.verdict.reasons,
    result: outcome.result,
    auditId: record.id,
    time: record.time,
  };
}

/** Applied/failed/... when the action was allowed; otherwise why it did not run. */
function auditResult(o: Outcome): string {
  if (o.verdict.allowed || o.result === "dry_run") return o.result;
  return o.verdict.needsApproval ? "not_approved" : "denied";
}

type Save = (phase: RunPhase, extra?: Partial<RunState>) => void;

async function guarded(
  d: StepDeps,
  run: RunState,
  rb: Runbook,
  action: AnyAction,
  params: unknown,
  target: ObjectRef,
  save: Save,
): Promise<Outcome> {
  save("guard");
  // Without a readable blast radius the policy denies whatever needs one; other rules still apply.
  const blast = await action.blast(d.ctx, target, params).catch(() => undefined);
  const labels = target.namespace ? await d.namespaceLabels(target.namespace) : {};
  const req = {
    action: action.name,
    target,
    namespaceLabels: labels,
    object: await policyObject(d.ctx, target),
    blast,
    runbook: rb.name,
    finding: findingFacts(run.finding),
  };
  let ticket = d.gate.admit({ ...req, now: d.ctx.clock.now() });
  const first = ticket.verdict;
  if (!first.allowed && !first.needsApproval && !first.dryRunOnly)
    return { verdict: first, result: "skipped", details: { blast } };
  // Preconditions are checked once, on the run's first target, before a human is asked.
  const unmet = run.step === 0 && run.targetIndex === 0 ? await d.preconditions() : [];
  if (unmet.length) {
    ticket.release();
    return {
      verdict: { ...first, allowed: false, needsApproval: false, reasons: unmet },
      result: "skipped",
      details: { blast },
      auditResult: "skipped",
    };
  }
  if (ticket.verdict.needsApproval) {
    const decided = await awaitApproval(d, run, action.name, target, ticket.verdict, rb, save);
    if (!decided.approvedBy)
      return { verdict: ticket.verdict, result: "skipped", details: { approval: decided.note } };
    ticket = d.gate.admit({ ...req, now: d.ctx.clock.now(), approvedBy: decided.approvedBy });
  }
  const v = ticket.verdict;
  if (!v.allowed && !v.dryRunOnly) return { verdict: v, result: "skipped", details: { blast } };
  save("dry_run");
  const snapshot = await action.snapshot(d.ctx, target, params);
  let dryRun: string;
  try {
    dryRun = await action.change(d.ctx, target, params, snapshot, true);
  } catch (e) {
    ticket.release();
    return { verdict: v, result: "failed", details: { blast, dryRunError: (e as Error).message } };
  }
  if (v.dryRunOnly) {
    ticket.release();
    return { verdict: v, result: "dry_run", details: { blast, dryRun } };
  }
  return applyAndVerify(d, run, rb, action, params, target, v, ticket, save, undefined, {
    blast,
    dryRun,
  });
}

async function applyAndVerify(
  d: StepDeps,
  run: RunState,
  rb: Runbook,
  action: AnyAction,
  params: unknown,
  target: ObjectRef,
  verdict: Verdict,
  ticket: Ticket | undefined,
  save: Save,
  resumeAt?: RunPhase,
  details: Record<string, unknown> = {},
): Promise<Outcome> {
  const done = (result: Result, more: Record<string, unknown>) => {
    ticket?.commit();
    return { verdict, result, details: { ...details, ...more } };
  };
  try {
    if (resumeAt === undefined) {
      // The snapshot is on disk before the change is sent: a crash after this line can roll back.
      save("apply", { snapshot: await action.snapshot(d.ctx, target, params) });
    }
    let applied = "resumed";
    let failedApply = false;
    if (resumeAt === undefined || resumeAt === "apply") {
      try {
        applied = await action.change(d.ctx, target, params, run.snapshot, false);
      } catch (e) {
        // Part of the change may be in (a drain cordons, then a budget blocks an eviction).
        details.applyError = (e as Error).message;
        if (!action.reversible || !rb.rollback.onVerificationFailure) throw e;
        failedApply = true;
      }
    }
    if (resumeAt !== "rollback" && !failedApply) {
      save("verify");
      const check = await verifyTarget(d.ctx, {
        runbook: rb,
        action,
        params,
        target,
        finding: run.finding,
        snapshot: run.snapshot,
        timeoutMs: d.verifyTimeoutMs,
        pollMs: d.pollMs,
        metrics: d.metrics,
      });
      if (check.done) return done("applied", { applied, verify: check.message });
      details.verify = check.message;
      if (!rb.rollback.onVerificationFailure || !action.reversible)
        return done("failed", {
          applied,
          rollback: action.reversible ? "disabled by the runbook" : "not reversible",
        });
    }
    save("rollback");
    const rolledBack = await action.rollback(d.ctx, target, params, run.snapshot);
    return done("rolled_back", { rollback: rolledBack });
  } catch (e) {
    ticket?.release();
    return { verdict, result: "failed", details: { ...details, error: (e as Error).message } };
  }
}

async function awaitApproval(
  d: StepDeps,
  run: RunState,
  action: string,
  target: ObjectRef,
  v: Verdict,
  rb: Runbook,
  save: Save,
): Promise<{ approvedBy?: string; note: string }> {
  if (!d.approvals) return { note: "approval required but no approval store is configured" };
  let id = run.approvalId;
  if (!id) {
    const { approval } = d.approvals.create({
      runId: run.id,
      action,
      target,
      runbook: rb.name,
      reasons: v.reasons,
      summary: approvalSummary(action, run, rb),
    });
    id = approval.id;
  }
  save("pending_approval", { status: "pending_approval", approvalId: id });
  const until = d.ctx.wall.now() + d.approvalWaitMs;
  for (;;) {
    const a = d.approvals.get(id);
    if (a?.status === "approved") {
      save("guard", { status: "running" });
      return { approvedBy: a.decidedBy ?? "unknown", note: `approved by ${a.decidedBy}` };
    }
    if (a?.status !== "pending") {
      save("guard", { status: "running" });
      return { note: `approval ${id} ${a?.status ?? "missing"}` };
    }
    if (d.ctx.wall.now() >= until) return { note: `approval ${id} still pending` };
    await d.ctx.sleep(d.approvalPollMs);
  }
}

const findingFacts = (f: Finding) => ({
  reason: f.reason,
  severity: f.severity,
  kind: f.kind,
  source: f.source,
});

/** One approval covers a step's targets: say how many, and name the first. */
function approvalSummary(action: string, run: RunState, rb: Runbook): string {
  const first = run.targets[0] ?? run.finding.subject;
  const name = `${first.namespace ? `${first.namespace}/` : ""}${first.name}`;
  const what =
    run.targets.length > 1
      ? `${run.targets.length} ${first.kind}s (first ${name})`
      : `${first.kind} ${name}`;
  return `${action} on ${what} (${rb.name}: ${run.finding.reason})`;
}
