/**
 * Runs a runbook's steps for one finding: guardrail verdict → server-side dry run → snapshot →
 * apply → verify (rollout completes within the runbook's timeout) → rollback on failure → audit. Every run, denied or
 * not, leaves one audit record whose id is returned in the ActionSummary.
 */
import { type Clock, isoTime, parseDuration, systemClock } from "../core/clock.ts";
import { newId } from "../core/ids.ts";
import type { ActionSummary, Finding, ObjectRef } from "../core/types.ts";
import type { AuditLog } from "./audit.ts";
import {
  type ClusterActions,
  RESTARTED_AT,
  restartPatch,
  rolloutState,
} from "./cluster-actions.ts";
import { evaluate, type Policy, type RecentAction, type Verdict } from "./guardrails/policy.ts";
import type { Runbook } from "./runbook.ts";

export interface ExecutorDeps {
  cluster: ClusterActions;
  policy: Policy;
  audit: AuditLog;
  /** Stamps restartedAt and audit records (the cluster's clock in a simulation). */
  clock: Clock;
  /** Wall-time poll interval while verifying. */
  pollMs?: number;
  /** Overrides the runbook's verification timeout (wall ms). */
  verifyTimeoutMs?: number;
  actor?: string;
  /** Wall clock for the verification deadline (real seconds even when the cluster is simulated). */
  wall?: Clock;
}

type StepOutcome = { result: ActionSummary["result"]; details: Record<string, unknown> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Executor {
  private readonly deps: ExecutorDeps;
  constructor(deps: ExecutorDeps) {
    this.deps = deps;
  }

  async run(runbook: Runbook, finding: Finding): Promise<ActionSummary[]> {
    const out: ActionSummary[] = [];
    for (const step of runbook.steps)
      out.push(await this.runStep(runbook, step.action, finding.subject, finding));
    return out;
  }

  private async runStep(
    runbook: Runbook,
    action: string,
    target: ObjectRef,
    finding: Finding,
  ): Promise<ActionSummary> {
    const runId = newId();
    const namespaceLabels = target.namespace
      ? await this.deps.cluster.namespaceLabels(target.namespace)
      : {};
    const verdict = evaluate(this.deps.policy, {
      action,
      target,
      namespaceLabels,
      now: this.deps.clock.now(),
      recent: recentActions(this.deps.audit),
    });
    const outcome: StepOutcome = verdict.allowed
      ? await this.apply(runbook, target).catch((e: unknown) => ({
          result: "failed" as const,
          details: { error: (e as Error).message },
        }))
      : { result: "skipped", details: {} };
    const record = this.deps.audit.append({
      actor: this.deps.actor ?? "opsloop/agent",
      action,
      target,
      why: `${runbook.name}: ${finding.reason} — ${finding.rootCause}`,
      verdict,
      result: verdict.allowed ? outcome.result : "denied",
      details: { runId, findingId: finding.id, ...outcome.details },
    });
    return summary(runId, runbook, action, target, verdict, outcome.result, record.id, record.time);
  }

  private async apply(runbook: Runbook, target: ObjectRef): Promise<StepOutcome> {
    const { cluster, clock } = this.deps;
    const ns = target.namespace ?? "default";
    const before = await cluster.getDeployment(ns, target.name);
    const patch = restartPatch(isoTime(clock.now()));
    await cluster.patchDeployment(ns, target.name, patch, true);
    const applied = await cluster.patchDeployment(ns, target.name, patch, false);
    const snapshot = {
      generation: before.metadata?.generation,
      annotations: before.spec?.template?.metadata?.annotations ?? {},
    };
    const verified = await this.verify(ns, target.name, runbook);
    const details = {
      patch,
      snapshot,
      generation: applied.metadata?.generation,
      verify: verified.message,
    };
    if (verified.done) return { result: "applied", details };
    // Restoring the previous annotation restores the previous pod template, so the Deployment
    // controller scales the old ReplicaSet back up, as `kubectl rollout undo` would.
    const undo = restartPatch(snapshot.annotations[RESTARTED_AT] ?? null);
    try {
      await cluster.patchDeployment(ns, target.name, undo, false);
      return { result: "rolled_back", details: { ...details, rollback: undo } };
    } catch (e) {
      return { result: "failed", details: { ...details, rollbackError: (e as Error).message } };
    }
  }

  private async verify(
    ns: string,
    name: string,
    runbook: Runbook,
  ): Promise<{ done: boolean; message: string }> {
    const timeout = this.deps.verifyTimeoutMs ?? parseDuration(runbook.verify.rolloutTimeout);
    const wall = this.deps.wall ?? systemClock;
    const deadline = wall.now() + timeout;
    let last = { done: false, message: "not checked" };
    while (wall.now() <= deadline) {
      last = rolloutState(await this.deps.cluster.getDeployment(ns, name));
      if (last.done) return last;
      await sleep(this.deps.pollMs ?? 250);
    }
    return { done: false, message: `rollout not complete after ${timeout} ms: ${last.message}` };
  }
}

/** Applied actions from the audit log, newest 1000, for the policy's rate limits. */
export function recentActions(audit: AuditLog): RecentAction[] {
  return audit
    .list({ limit: 1000 })
    .filter((r) => r.result === "applied")
    .map((r) => ({ action: r.action, target: r.target as ObjectRef, time: r.time }));
}

function summary(
  runId: string,
  runbook: Runbook,
  action: string,
  target: ObjectRef,
  verdict: Verdict,
  result: ActionSummary["result"],
  auditId: string,
  time: number,
): ActionSummary {
  return {
    runId,
    runbook: runbook.name,
    action,
    target,
    verdict: verdict.allowed ? "allowed" : "denied",
    reasons: verdict.reasons,
    result,
    auditId,
    time,
  };
}
