/** Small pieces of the executor: run outcome, rate-limit history, the no-cluster context. */
import { OpsloopError } from "../../core/errors.ts";
import type { ActionSummary, ObjectRef } from "../../core/types.ts";
import type { KubeClients } from "../actions/kube.ts";
import type { AuditLog } from "../audit.ts";
import type { RecentAction } from "../guardrails/policy.ts";
import type { RunState } from "../runs/run-store.ts";

export function finalStatus(s: ActionSummary): RunState["status"] {
  if (s.result === "rolled_back") return "rolled_back";
  if (s.result === "failed") return "failed";
  return s.verdict === "denied" || s.verdict === "needs_approval" ? "denied" : "skipped";
}

export const sameRef = (a: ObjectRef, b: ObjectRef) =>
  a.kind === b.kind && (a.namespace ?? "") === (b.namespace ?? "") && a.name === b.name;

/** Applied actions from the audit log, newest 1000, for the policy's rate limits. */
export function recentActions(audit: AuditLog): RecentAction[] {
  return audit
    .list({ limit: 1000 })
    .filter((r) => r.result === "applied")
    .map((r) => ({ action: r.action, target: r.target as ObjectRef, time: r.time }));
}

/** Clients for an executor built without a cluster (policy-only tests): any use fails clearly. */
export function noCluster(): KubeClients {
  const fail = () => {
    throw new OpsloopError("internal", "the executor has no kubeconfig to act with");
  };
  return new Proxy({} as KubeClients, { get: () => new Proxy({}, { get: fail }) });
}
