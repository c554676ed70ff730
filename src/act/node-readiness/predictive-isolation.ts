/**
 * Predictive isolation: a node-failure prediction sets the custom node condition
 * `opsloop.dev/PredictedFailure=True` (through the guardrails, action `set-node-condition`);
 * the NodeReadinessRule from `predictiveIsolationRule()` (problem-gate shape: requiredStatus
 * False, defaultStatus False, so healthy nodes without the condition stay untainted) turns it
 * into a NoSchedule taint; the drain runbook then moves the pods away within the guardrails.
 * Conditions live in nodes/status, which is where Node Problem Detector reports them too.
 */
import {
  CoreV1Api,
  type KubeConfig,
  type V1Node,
  type V1NodeCondition,
} from "@kubernetes/client-node";
import { type Clock, isoTime } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";
import { matchesSelector } from "../../core/label-selector.ts";
import { redactObject, redactText } from "../../core/redact.ts";
import type { Finding } from "../../core/types.ts";
import type { AuditLog } from "../audit.ts";
import { evaluate, type Policy, type RecentAction, type Verdict } from "../guardrails/policy.ts";
import { nodeView } from "./evaluate.ts";
import { type NodeReadinessRule, NRR_API_VERSION, TAINT_PREFIX } from "./types.ts";

export const PREDICTED_FAILURE_CONDITION = "opsloop.dev/PredictedFailure";
export const PREDICTED_FAILURE_TAINT = `${TAINT_PREFIX}opsloop-predicted-failure`;
const SELECTOR = { matchExpressions: [{ key: "kubernetes.io/os", operator: "Exists" as const }] };

/** The rule that taints a node NoSchedule while its PredictedFailure condition is True. */
export function predictiveIsolationRule(name = "opsloop-predictive-isolation"): NodeReadinessRule {
  return {
    apiVersion: NRR_API_VERSION,
    kind: "NodeReadinessRule",
    metadata: { name },
    spec: {
      conditions: [
        { type: PREDICTED_FAILURE_CONDITION, requiredStatus: "False", defaultStatus: "False" },
      ],
      enforcementMode: "continuous",
      taint: { key: PREDICTED_FAILURE_TAINT, effect: "NoSchedule" },
      nodeSelector: SELECTOR,
      dryRun: false,
    },
  };
}

export interface IsolationDeps {
  kc: KubeConfig;
  policy: Policy;
  audit: AuditLog;
  clock: Clock;
  /** Applied actions for rate limits and per-hour blast radius (e.g. executor's recentActions). */
  recent: () => RecentAction[];
  actor?: string;
}

export interface IsolationResult {
  verdict: Verdict;
  /** applied: condition written; dry_run: server-side dry run only; held: needs approval. */
  result: "applied" | "dry_run" | "held" | "denied" | "failed";
  auditId: string;
}

/** Share of the pool (nodes the isolation rule selects) unschedulable once `target` is too. */
function poolShare(nodes: V1Node[], target: string): number {
  const pool = nodes.map(nodeView).filter((n) => matchesSelector(SELECTOR, n.labels));
  const out = pool.filter(
    (n, i) =>
      n.name === target ||
      nodes[i]?.spec?.unschedulable === true ||
      n.taints.some((t) => t.effect !== "PreferNoSchedule" && t.key.startsWith(TAINT_PREFIX)) ||
      n.conditions.find((c) => c.type === "Ready")?.status !== "True",
  );
  return pool.length ? out.length / pool.length : 1;
}

function withCondition(
  node: V1Node,
  status: "True" | "False",
  message: string,
  now: string,
): V1Node {
  const old = (node.status?.conditions ?? []).find((c) => c.type === PREDICTED_FAILURE_CONDITION);
  const next: V1NodeCondition = {
    type: PREDICTED_FAILURE_CONDITION,
    status,
    reason: status === "True" ? "NodeFailurePredicted" : "NoFailurePredicted",
    message,
    lastHeartbeatTime: new Date(now),
    lastTransitionTime:
      old?.status === status && old.lastTransitionTime ? old.lastTransitionTime : new Date(now),
  };
  const others = (node.status?.conditions ?? []).filter(
    (c) => c.type !== PREDICTED_FAILURE_CONDITION,
  );
  return { ...node, status: { ...(node.status ?? {}), conditions: [...others, next] } };
}

/**
 * Sets (failing: true) or clears (false) the PredictedFailure condition of the finding's Node,
 * if the guardrails allow `set-node-condition` on it. Returns the verdict and what happened.
 */
export async function setPredictedFailure(
  deps: IsolationDeps,
  finding: Finding,
  failing = true,
): Promise<IsolationResult> {
  if (finding.subject.kind !== "Node")
    throw new OpsloopError(
      "invalid_input",
      `predictive isolation needs a Node finding, got ${finding.subject.kind}`,
    );
  const core = deps.kc.makeApiClient(CoreV1Api);
  const name = finding.subject.name;
  const nodes = (await core.listNode()).items;
  const node = nodes.find((n) => n.metadata?.name === name);
  if (!node) throw new OpsloopError("not_found", `node ${name} not found`);
  const verdict = evaluate(deps.policy, {
    action: "set-node-condition",
    target: { kind: "Node", name },
    namespaceLabels: {},
    object: redactObject(node),
    blast: { pods: 0, nodes: 1, poolUnavailableRatio: poolShare(nodes, name) },
    now: deps.clock.now(),
    recent: deps.recent(),
    finding: {
      reason: finding.reason,
      severity: finding.severity,
      kind: finding.kind,
      source: finding.source,
    },
  });
  const message = redactText(`${finding.reason}: ${finding.rootCause}`).slice(0, 1024);
  let result: IsolationResult["result"] = verdict.allowed
    ? "applied"
    : verdict.dryRunOnly
      ? "dry_run"
      : verdict.needsApproval
        ? "held"
        : "denied";
  let error: string | undefined;
  if (result === "applied" || result === "dry_run") {
    try {
      await writeCondition(
        core,
        name,
        failing ? "True" : "False",
        message,
        deps.clock,
        result === "dry_run",
      );
    } catch (e) {
      error = (e as Error).message;
      result = "failed";
    }
  }
  const rec = deps.audit.append({
    actor: deps.actor ?? "opsloop/agent",
    action: "set-node-condition",
    target: { kind: "Node", name },
    why: message,
    verdict: { allowed: verdict.allowed, reasons: verdict.reasons },
    result,
    details: {
      condition: PREDICTED_FAILURE_CONDITION,
      status: failing ? "True" : "False",
      findingId: finding.id,
      error,
    },
  });
  return { verdict, result, auditId: rec.id };
}

async function writeCondition(
  core: CoreV1Api,
  name: string,
  status: "True" | "False",
  message: string,
  clock: Clock,
  dryRun: boolean,
): Promise<void> {
  // The kubelet rewrites nodes/status every heartbeat, so a stale resourceVersion is normal: retry.
  for (let attempt = 0; ; attempt++) {
    const node = await core.readNodeStatus({ name });
    const body = withCondition(node, status, message, isoTime(clock.now()));
    try {
      await core.replaceNodeStatus({
        name,
        body,
        fieldManager: "opsloop",
        ...(dryRun ? { dryRun: "All" } : {}),
      });
      return;
    } catch (e) {
      if ((e as { code?: number }).code !== 409 || attempt >= 4) throw e;
    }
  }
}
