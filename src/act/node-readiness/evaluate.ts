/**
 * Pure evaluation of a NodeReadinessRule against nodes, with the upstream controller's semantics
 * (docs/book/src/user-guide/concepts.md): every condition must have its requiredStatus (allOf);
 * a condition absent from the node counts as its defaultStatus, or Unknown without one; a rule
 * that is not satisfied wants its taint present, a satisfied one wants it absent; bootstrap-only
 * rules mark a node once satisfied and ignore it from then on.
 */
import type { V1Node } from "@kubernetes/client-node";
import { matchesSelector } from "../../core/label-selector.ts";
import {
  BOOTSTRAP_COMPLETED_PREFIX,
  type ConditionEvaluationResult,
  type ConditionStatus,
  type LabelSelector,
  type NodeEvaluation,
  type RuleSpec,
} from "./types.ts";

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface NodeView {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  conditions: { type: string; status: string }[];
  taints: Taint[];
}

export function nodeView(n: V1Node): NodeView {
  return {
    name: n.metadata?.name ?? "",
    labels: n.metadata?.labels ?? {},
    annotations: n.metadata?.annotations ?? {},
    conditions: (n.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status })),
    taints: (n.spec?.taints ?? []) as Taint[],
  };
}

export interface NodeDecision {
  node: string;
  evaluation: NodeEvaluation;
  /** add/remove the rule's taint, or nothing to change. */
  change: "add" | "remove" | "none";
  /** bootstrap-only rule satisfied for the first time: annotate the node. */
  completeBootstrap: boolean;
  /** A required condition is missing and has no defaultStatus. */
  risky: boolean;
}

export interface RulePlan {
  decisions: NodeDecision[];
  /** Matching nodes skipped because their bootstrap already completed. */
  bootstrapped: string[];
}

/**
 * Whether two selectors can select a common node, judged as upstream's webhook does: only a
 * provable contradiction (one requires k=v, the other another value or no k) makes them
 * disjoint; anything else counts as overlapping.
 */
export function selectorsMayOverlap(a: LabelSelector, b: LabelSelector): boolean {
  const contradicts = (x: LabelSelector, y: LabelSelector) =>
    Object.entries(x.matchLabels ?? {}).some(([k, v]) => {
      const other = y.matchLabels?.[k];
      if (other !== undefined && other !== v) return true;
      return (y.matchExpressions ?? []).some(
        (e) =>
          e.key === k &&
          (e.operator === "DoesNotExist" ||
            (e.operator === "NotIn" && (e.values ?? []).includes(v)) ||
            (e.operator === "In" && !(e.values ?? []).includes(v))),
      );
    });
  return !contradicts(a, b) && !contradicts(b, a);
}

export const bootstrapAnnotation = (rule: string) => `${BOOTSTRAP_COMPLETED_PREFIX}${rule}`;

export const hasTaint = (node: NodeView, t: { key: string; effect: string }) =>
  node.taints.some((x) => x.key === t.key && x.effect === t.effect);

function conditionResult(
  c: RuleSpec["conditions"][number],
  node: NodeView,
): ConditionEvaluationResult {
  const found = node.conditions.find((x) => x.type === c.type);
  const current = (found?.status ?? c.defaultStatus ?? "Unknown") as ConditionStatus;
  return {
    type: c.type,
    currentStatus: current,
    requiredStatus: c.requiredStatus,
    ...(c.defaultStatus ? { defaultStatus: c.defaultStatus } : {}),
    satisfied: current === c.requiredStatus,
    missing: found === undefined,
  };
}

export function decideNode(spec: RuleSpec, node: NodeView, now: string): NodeDecision {
  const results = spec.conditions.map((c) => conditionResult(c, node));
  const satisfied = results.every((r) => r.satisfied);
  const present = hasTaint(node, spec.taint);
  const change = satisfied ? (present ? "remove" : "none") : present ? "none" : "add";
  return {
    node: node.name,
    evaluation: {
      nodeName: node.name,
      conditionResults: results,
      // The taint as found; the controller updates it once a change has been written.
      taintStatus: present ? "Present" : "Absent",
      lastEvaluationTime: now,
    },
    change,
    completeBootstrap: spec.enforcementMode === "bootstrap-only" && satisfied,
    risky: results.some((r) => r.missing && !r.defaultStatus),
  };
}

export function planRule(
  ruleName: string,
  spec: RuleSpec,
  nodes: NodeView[],
  now: string,
): RulePlan {
  const plan: RulePlan = { decisions: [], bootstrapped: [] };
  for (const node of nodes) {
    if (!matchesSelector(spec.nodeSelector, node.labels)) continue;
    if (
      spec.enforcementMode === "bootstrap-only" &&
      node.annotations[bootstrapAnnotation(ruleName)] === "true"
    ) {
      plan.bootstrapped.push(node.name);
      continue;
    }
    plan.decisions.push(decideNode(spec, node, now));
  }
  return plan;
}

/** The upstream dryRunResults summary for a plan that is not applied. */
export function dryRunResults(plan: RulePlan) {
  const add = plan.decisions.filter((d) => d.change === "add").length;
  const remove = plan.decisions.filter((d) => d.change === "remove").length;
  const risky = plan.decisions.filter((d) => d.risky).length;
  const affected = plan.decisions.length;
  return {
    affectedNodes: affected,
    taintsToAdd: add,
    taintsToRemove: remove,
    riskyOperations: risky,
    summary: `would add the taint to ${add} and remove it from ${remove} of ${affected} matching nodes${risky ? `; ${risky} nodes miss a required condition` : ""}`,
  };
}
