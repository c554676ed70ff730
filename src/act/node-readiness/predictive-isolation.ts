/**
 * Predictive isolation: a node-failure prediction sets the custom node condition
 * `opsloop.dev/PredictedFailure=True` — the first step of the `node-predicted-failure` runbook,
 * action `set-node-condition`, so through the executor and the guardrails like every write;
 * the NodeReadinessRule from `predictiveIsolationRule()` (problem-gate shape: requiredStatus
 * False, defaultStatus False, so healthy nodes without the condition stay untainted) turns it
 * into a NoSchedule taint; the runbook's drain then moves the pods away. Conditions live in
 * nodes/status, which is where Node Problem Detector reports them too.
 */
import { BUILTIN_RUNBOOKS_DIR, loadRunbooks, type Runbook } from "../runbook.ts";
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

/**
 * The node-predicted-failure runbook's condition step on its own: sets the PredictedFailure
 * condition (`failing`) or clears it (a repaired node released), through the executor.
 */
export function predictedFailureRunbook(failing: boolean, dir = BUILTIN_RUNBOOKS_DIR): Runbook {
  const rb = loadRunbooks(dir).find((r) => r.name === "node-predicted-failure") as Runbook;
  const step = rb.steps[0] as Runbook["steps"][number];
  const params = failing
    ? step.params
    : { ...step.params, status: "False", reason: "NoFailurePredicted", message: "" };
  return {
    ...rb,
    name: failing ? "node-predicted-failure" : "node-predicted-failure-clear",
    steps: [{ ...step, params }],
    // The step's own check verifies the condition; the runbook's condition holds only when set.
    verification: { ...rb.verification, conditions: [] },
  };
}
