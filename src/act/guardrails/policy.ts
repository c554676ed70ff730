/**
 * Guardrail policy: THE contract between the planner/executor and the rules a human wrote.
 * `evaluate(policy, req)` is pure (no I/O, no clock: `req.now` is the time) and denies when in
 * doubt: an unknown action, unreadable namespace labels, a CEL compile or runtime error, a
 * missing history or blast radius the policy needs, all deny with the reason.
 *
 * Verdict semantics (for the executor, helper A2):
 *  - `allowed: true`  → may be applied now (after the server-side dry run).
 *  - `allowed: false, needsApproval: true` → every check passed except a requireApproval rule:
 *    create an approval (`ApprovalStore.create`), and once it is approved evaluate again with
 *    `approvedBy` set; that verdict is then `allowed` unless something else changed.
 *  - `allowed: false, dryRunOnly: true` → every check passed but the policy's `mode` is
 *    dryRunOnly: run the server-side dry run, record result `dry_run`, never apply.
 *  - otherwise denied: `needsApproval` and `dryRunOnly` are both false, `reasons` say why.
 * Concurrency: evaluate in-process through `GuardrailGate` (gate.ts), which reserves allowed
 * actions until they are committed or released, so concurrent triggers cannot overrun a limit.
 * Changes from session 1: Verdict gained needsApproval/dryRunOnly; GuardrailRequest gained
 * object, blast, runbook, finding, approvedBy; RecentAction gained optional pods/nodes.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { OpsloopError } from "../../core/errors.ts";
import type { ObjectRef } from "../../core/types.ts";
import { celRuleApplies, compileCondition } from "./cel.ts";
import { blastRadiusReasons, rateLimitReasons } from "./limits.ts";
import { type Policy, type PolicyInput, PolicySchema, type Rule } from "./schema.ts";
import { windowReasons } from "./windows.ts";

export type { BlastRadiusLimit, MaintenanceWindow, Policy, RateLimit, Rule } from "./schema.ts";
export { PolicySchema, policyJsonSchema } from "./schema.ts";

/** An action that was applied earlier (from the audit log), for rate limits and blast radius. */
export interface RecentAction {
  action: string;
  target: ObjectRef;
  time: number;
  /** Pods/nodes it disrupted; when absent a Pod target counts 1 pod, a Node target 1 node. */
  pods?: number;
  nodes?: number;
}

/** What an action will disrupt, computed by the planner before asking. */
export interface BlastRadius {
  pods: number;
  nodes: number;
  /** Share (0..1) of the target workload's pods unavailable once the action runs. */
  workloadUnavailableRatio?: number;
  /** Share (0..1) of the node pool unschedulable/unavailable once the action runs. */
  poolUnavailableRatio?: number;
}

export interface Verdict {
  allowed: boolean;
  needsApproval: boolean;
  dryRunOnly: boolean;
  reasons: string[];
}

export interface GuardrailRequest {
  /** Action-library name, e.g. "rollout-restart", "drain-node", "delete-pod". */
  action: string;
  target: ObjectRef;
  /** Labels of the target's namespace; undefined when they could not be read (→ deny). */
  namespaceLabels: Record<string, string> | undefined;
  /** The target object as read (CEL `object`), secrets already redacted. */
  object?: unknown;
  /** The target's Namespace object (CEL `namespaceObject`), when read. */
  namespaceObject?: unknown;
  blast?: BlastRadius;
  /** Evaluation time and previously applied actions; needed by rate limits, blast per hour and windows. */
  now?: number;
  recent?: RecentAction[];
  runbook?: string;
  finding?: { reason: string; severity: string; kind?: string; source?: string };
  /** Set only from an approved ApprovalStore record: satisfies requireApproval rules. */
  approvedBy?: string;
}

/**
 * The action library's targeted actions; the default policy allows them, guarded. The generic
 * writes `patch` and `apply-manifest` can change anything, so a policy must list them itself.
 */
export const KNOWN_ACTIONS = [
  "rollout-restart",
  "rollout-undo",
  "scale",
  "raise-memory-limit",
  "cordon",
  "uncordon",
  "drain",
  "delete-pod",
  "set-node-condition",
  "taint-node",
  "apply-hpa",
  "raise-hpa-min-replicas",
  "restore-hpa-min-replicas",
  "scale-out-for-surge",
  "scale-in-after-surge",
  "notify",
] as const;

export const DEFAULT_POLICY: Policy = PolicySchema.parse({
  mode: "enforce",
  allowedActions: [...KNOWN_ACTIONS],
  rules: [
    {
      name: "no-kube-system",
      effect: "deny",
      match: { namespaces: ["kube-system"] },
      reason: "changes in kube-system are never automated",
    },
    {
      name: "protected-namespaces",
      effect: "deny",
      match: { namespaceLabels: { "opsloop.dev/protected": "true" } },
      reason: "the namespace is labelled opsloop.dev/protected=true",
    },
    {
      name: "no-pod-deletes-in-production",
      effect: "deny",
      condition:
        "request.action == 'delete-pod' && namespaceLabels[?'env'].orValue('') == 'production'",
      reason: "pods in namespaces labelled env=production are not deleted automatically",
    },
    {
      name: "disruptive-needs-approval",
      effect: "requireApproval",
      match: { actions: ["drain", "delete-pod", "rollout-undo"] },
      reason: "draining nodes, deleting pods and rolling back need a human's approval",
    },
  ],
  // A fix that keeps being needed is not fixing anything: stop and leave it to a human.
  rateLimits: [
    { name: "restart-budget", actions: ["rollout-restart"], maxPerTarget: 3, window: "1h" },
    { name: "per-target-budget", maxPerTarget: 5, window: "1h" },
    { name: "node-isolation-budget", actions: ["drain", "cordon"], maxTotal: 2, window: "1h" },
  ],
  blastRadius: [
    {
      name: "default-blast",
      // rollout-restart/raise-memory-limit replace pods under the Deployment's own
      // maxUnavailable, so the workload bounds them; these act on pods or nodes directly.
      actions: [
        "drain",
        "cordon",
        "delete-pod",
        "taint-node",
        "scale",
        "scale-in-after-surge",
        "rollout-undo",
      ],
      maxPodsPerAction: 20,
      maxNodesPerAction: 1,
      maxPodsPerHour: 50,
      maxNodesPerHour: 2,
      maxWorkloadUnavailable: 0.5,
      maxPoolUnavailable: 0.34,
    },
  ],
} satisfies PolicyInput);

export function parsePolicy(doc: unknown, source = "policy"): Policy {
  const parsed = PolicySchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new OpsloopError("invalid_input", `invalid ${source}: ${problems}`);
  }
  // A condition that cannot compile would deny every matching request: say so at load time.
  const celProblems = parsed.data.rules.flatMap((r, i) => {
    const c = r.condition === undefined ? undefined : compileCondition(r.condition);
    return c && "error" in c ? [`rules.${i}.condition (${r.name}): ${c.error}`] : [];
  });
  if (celProblems.length)
    throw new OpsloopError("invalid_input", `invalid ${source}: ${celProblems.join("; ")}`);
  return parsed.data;
}

export function loadPolicy(path: string): Policy {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new OpsloopError("invalid_input", `cannot read policy ${path}: ${(e as Error).message}`);
  }
  return parsePolicy(doc, `policy ${path}`);
}

function staticMatch(rule: Rule, req: GuardrailRequest): boolean {
  const m = rule.match;
  if (!m) return true;
  if (m.actions && !m.actions.includes(req.action)) return false;
  if (m.kinds && !m.kinds.includes(req.target.kind)) return false;
  if (m.namespaces && !m.namespaces.includes(req.target.namespace ?? "")) return false;
  if (m.namespaceLabels) {
    const labels = req.namespaceLabels ?? {};
    for (const [k, v] of Object.entries(m.namespaceLabels)) if (labels[k] !== v) return false;
  }
  return true;
}

/** "applies", "no", or an error message (which denies). */
function ruleApplies(rule: Rule, req: GuardrailRequest): "applies" | "no" | { error: string } {
  if (!staticMatch(rule, req)) return "no";
  if (rule.condition === undefined) return "applies";
  return celRuleApplies(rule.condition, req);
}

function ruleReasons(policy: Policy, req: GuardrailRequest) {
  const deny: string[] = [];
  const approval: string[] = [];
  for (const rule of policy.rules) {
    const r = ruleApplies(rule, req);
    if (r === "no") continue;
    if (typeof r === "object") deny.push(`${rule.name}: condition failed (${r.error}), denying`);
    else if (rule.effect === "deny") deny.push(`${rule.name}: ${rule.reason}`);
    else approval.push(`${rule.name}: ${rule.reason}`);
  }
  return { deny, approval };
}

export function evaluate(policy: Policy, req: GuardrailRequest): Verdict {
  try {
    const deny: string[] = [];
    if (!policy.allowedActions.includes(req.action))
      deny.push(`action ${req.action} is not in the policy's allowed actions`);
    if (req.target.namespace && req.namespaceLabels === undefined)
      deny.push(`the labels of namespace ${req.target.namespace} are unknown`);
    const rules = ruleReasons(policy, req);
    deny.push(...rules.deny);
    for (const limit of policy.rateLimits) deny.push(...rateLimitReasons(limit, req));
    for (const limit of policy.blastRadius) deny.push(...blastRadiusReasons(limit, req));
    deny.push(...windowReasons(policy.maintenanceWindows, req));
    if (deny.length) return denied(deny);
    const approvalMissing = rules.approval.length > 0 && !req.approvedBy;
    if (approvalMissing) return { ...denied(rules.approval), needsApproval: true };
    if (policy.mode === "dryRunOnly")
      return {
        ...denied(["policy mode is dryRunOnly: only server-side dry runs"]),
        dryRunOnly: true,
      };
    const reasons = rules.approval.length
      ? [`approved by ${req.approvedBy}`, ...rules.approval]
      : ["no deny rule matched"];
    return { allowed: true, needsApproval: false, dryRunOnly: false, reasons };
  } catch (e) {
    return denied([`policy evaluation failed: ${(e as Error).message}`]);
  }
}

const denied = (reasons: string[]): Verdict => ({
  allowed: false,
  needsApproval: false,
  dryRunOnly: false,
  reasons,
});

/** The verdict as one word, for ActionSummary.verdict and tables. */
export function verdictState(v: Verdict): "allowed" | "denied" | "needs_approval" | "dry_run_only" {
  if (v.allowed) return "allowed";
  if (v.needsApproval) return "needs_approval";
  return v.dryRunOnly ? "dry_run_only" : "denied";
}
