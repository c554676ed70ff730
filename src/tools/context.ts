/** What tools run against: the loop's parts, passed in (no singletons). */
import type { KubeConfig } from "@kubernetes/client-node";
import type { ApprovalStore } from "../act/approvals/store.ts";
import type { AuditLog } from "../act/audit.ts";
import type { ClusterActions } from "../act/cluster-actions.ts";
import type { Executor } from "../act/executor.ts";
import type { Policy } from "../act/guardrails/policy.ts";
import type { Runbook } from "../act/runbook.ts";
import type { Clock } from "../core/clock.ts";
import type { Finding } from "../core/types.ts";
import type { History } from "../forecast/history/simulated.ts";
import type { IncidentManager } from "../incidents/incidents.ts";
import type { ClusterSnapshot, LogReader } from "../sources/kubernetes/snapshot.ts";
import type { PromClient } from "../sources/prometheus/api-client.ts";

export interface ToolContext {
  findings(): Finding[];
  incidents: IncidentManager;
  audit: AuditLog;
  /** Actions held for a human decision; absent where no store is wired (the approval tools then fail). */
  approvals?: ApprovalStore;
  executor: Executor;
  cluster: ClusterActions;
  policy: Policy;
  runbooks: Runbook[];
  clock: Clock;
  /** Usage history (objects + metric samples) over the last N days, for right-sizing and scaling plans. */
  usageHistory?: (days: number) => History | Promise<History>;
  /** The cluster the read tools (list_resources, get_pod_logs, ...) query; absent = no cluster tools. */
  kube?: KubeConfig;
  /** Prometheus-compatible API for query_metrics; absent = query_metrics reports it is not configured. */
  prometheus?: PromClient;
  /** Anomalies the live detect pipeline holds now (`DetectPipeline.anomalies()`), for get_anomalies. */
  anomalies?: () => Finding[];
  /** The informers' current view (`KubeSource.snapshot`): list_problems and diagnose_object run diagnose() on it. */
  snapshot?: () => ClusterSnapshot;
  /** Container logs for the crash analyzers (`KubeSource.readLog`); optional even with a snapshot. */
  readLog?: LogReader;
  /** Directory scan_manifests may read manifests under (default: the working directory). */
  scanRoot?: string;
  /**
   * Set for one call by an adapter that asked the user directly and got a yes (MCP elicitation:
   * the answer comes from the client's UI, never from the model). approve_action then needs no
   * approval token; every other path (HTTP tool routes, a token-confirmed MCP call, the
   * investigator) still does.
   */
  humanConfirmed?: boolean;
  /**
   * Where an adapter runs each tool call so the loop's background work (a scrape's parsing and
   * feeding) waits for it (`Runtime.foreground`); calls run directly when absent.
   */
  foreground?: { run<T>(fn: () => Promise<T>): Promise<T> };
}
