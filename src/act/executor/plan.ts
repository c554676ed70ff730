/**
 * A plan without side effects: for each step its targets (resolved now), the blast radius and
 * the guardrail verdict each would get. What `propose_remediation` shows before anything runs;
 * nothing is reserved, dry-run or written.
 */
import { redactObject } from "../../core/redact.ts";
import type { Finding, ObjectRef } from "../../core/types.ts";
import { actionNamed } from "../actions/index.ts";
import type { ActionContext } from "../actions/types.ts";
import type { AuditLog } from "../audit.ts";
import {
  type BlastRadius,
  evaluate,
  type Policy,
  type RecentAction,
  type Verdict,
} from "../guardrails/policy.ts";
import type { Runbook } from "../runbook.ts";
import { policyObject, resolveTargets } from "./targets.ts";

export interface PlannedTarget {
  target: ObjectRef;
  blast?: BlastRadius;
  verdict: Verdict;
}

export interface PlannedStep {
  action: string;
  params: Record<string, unknown>;
  targets: PlannedTarget[];
}

export interface PlanDeps {
  ctx: ActionContext;
  policy: Policy;
  audit: AuditLog;
  recent: () => RecentAction[];
  namespaceLabels(ns: string): Promise<Record<string, string> | undefined>;
}

/** Targets shown per step; a cleanup over hundreds of pods is summarised by its first ones. */
const SHOWN = 10;

export async function planRunbook(d: PlanDeps, rb: Runbook, f: Finding): Promise<PlannedStep[]> {
  d = { ...d, ctx: { ...d.ctx, finding: f } };
  const out: PlannedStep[] = [];
  for (const step of rb.steps) {
    const action = actionNamed(step.action);
    const params = action.params.parse(step.params);
    const targets = await resolveTargets(d.ctx, step.target, f).catch(() => [f.subject]);
    const planned: PlannedTarget[] = [];
    for (const target of targets.slice(0, Math.min(SHOWN, rb.limits.maxTargets))) {
      const blast = await action.blast(d.ctx, target, params).catch(() => undefined);
      const verdict = evaluate(d.policy, {
        action: action.name,
        target,
        namespaceLabels: target.namespace ? await d.namespaceLabels(target.namespace) : {},
        object: await policyObject(d.ctx, target),
        blast,
        now: d.ctx.clock.now(),
        recent: d.recent(),
        runbook: rb.name,
        finding: { reason: f.reason, severity: f.severity, kind: f.kind, source: f.source },
      });
      planned.push({ target, ...(blast ? { blast } : {}), verdict });
    }
    // Parameters can carry credentials (an env value, a manifest): a plan is shown, never them.
    out.push({ action: action.name, params: redactObject(step.params), targets: planned });
  }
  return out;
}
