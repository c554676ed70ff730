/**
 * Diagnosis: every analyzer over one snapshot. Add an analyzer by appending it to ANALYZERS
 * (one line); the CLI's `--filter`, the tools and the agent all run through `diagnose()`.
 */
import { setImmediate } from "node:timers/promises";
import { OpsloopError } from "../core/errors.ts";
import type { Finding } from "../core/types.ts";
import type { Analyzer, AnalyzerContext } from "./analyzer.ts";
import { analyzeEventPatterns } from "./analyzers/event-patterns.ts";
import { analyzeHpas } from "./analyzers/hpa.ts";
import { analyzeIngresses } from "./analyzers/ingress.ts";
import { analyzeJobs } from "./analyzers/jobs.ts";
import { analyzeNetworkPolicies } from "./analyzers/network-policy.ts";
import { analyzeNodes } from "./analyzers/nodes.ts";
import { analyzePdbs } from "./analyzers/pdb.ts";
import { analyzePending } from "./analyzers/pending.ts";
import { analyzePodStartup } from "./analyzers/pod-startup.ts";
import { analyzeProbes } from "./analyzers/probes.ts";
import { analyzeSecurity } from "./analyzers/security.ts";
import { analyzeServices } from "./analyzers/services.ts";
import { analyzeStorage } from "./analyzers/storage.ts";
import { analyzeUnusedConfigMaps } from "./analyzers/unused-configmaps.ts";
import { analyzeWebhooks } from "./analyzers/webhooks.ts";
import { analyzeWorkloads } from "./analyzers/workloads.ts";
import { foldServiceOutages } from "./fold-outages.ts";
import { budgetedLogReader } from "./log-budget.ts";

export const ANALYZERS: Analyzer[] = [
  {
    id: "pod-startup",
    description: "pods that cannot start or keep crashing: missing config, image pulls, crashes",
    analyze: (ctx) => analyzePodStartup(ctx.snap, ctx.now, ctx.readLog),
  },
  {
    id: "pending",
    description: "pods the scheduler cannot place: resources, taints, selectors, unbound claims",
    analyze: (ctx) => analyzePending(ctx.snap, ctx.now),
  },
  {
    id: "probes",
    description: "running containers failing readiness or liveness probes",
    analyze: (ctx) => analyzeProbes(ctx.snap, ctx.now),
  },
  {
    id: "workloads",
    description: "Deployments, StatefulSets, DaemonSets short of pods with no pod-level cause",
    analyze: (ctx) => analyzeWorkloads(ctx.snap, ctx.now),
  },
  {
    id: "jobs",
    description: "failed Jobs with their pods' cause; CronJobs failing, unschedulable or suspended",
    analyze: (ctx) => analyzeJobs(ctx.snap, ctx.now, ctx.readLog),
  },
  {
    id: "nodes",
    description: "NotReady nodes, memory/disk/PID pressure with the pods evicted, no pod network",
    analyze: (ctx) => analyzeNodes(ctx.snap, ctx.now),
  },
  {
    id: "event-patterns",
    description: "pods stuck on sandbox creation (subnet IP exhaustion per zone) or volume attach",
    analyze: (ctx) => analyzeEventPatterns(ctx.snap, ctx.now),
  },
  {
    id: "service",
    description:
      "Services without endpoints: selector matching no pod, pods not ready, port mismatch",
    analyze: (ctx) => analyzeServices(ctx.snap, ctx.now),
  },
  {
    id: "ingress",
    description: "Ingress backends naming a missing Service or port, missing TLS Secrets",
    analyze: (ctx) => analyzeIngresses(ctx.snap, ctx.now),
  },
  {
    id: "storage",
    description:
      "PersistentVolumeClaims Pending: missing StorageClass, no matching PersistentVolume",
    analyze: (ctx) => analyzeStorage(ctx.snap, ctx.now),
  },
  {
    id: "hpa",
    description:
      "HPAs that cannot compute metrics (no requests), lack a target, or are pinned at max",
    analyze: (ctx) => analyzeHpas(ctx.snap, ctx.now),
  },
  {
    id: "pdb",
    description: "PodDisruptionBudgets that block every eviction with all pods healthy",
    analyze: (ctx) => analyzePdbs(ctx.snap, ctx.now),
  },
  {
    id: "network-policy",
    description: "NetworkPolicies selecting no pod or denying all ingress to a Service's pods",
    analyze: (ctx) => analyzeNetworkPolicies(ctx.snap, ctx.now),
  },
  {
    id: "webhooks",
    description: "admission webhooks whose Service is missing or has no endpoints",
    analyze: (ctx) => analyzeWebhooks(ctx.snap, ctx.now),
  },
  {
    id: "configmaps",
    description: "ConfigMaps no pod or workload uses (info; optional)",
    optional: true,
    analyze: (ctx) => analyzeUnusedConfigMaps(ctx.snap, ctx.now),
  },
  {
    id: "security",
    description: "privileged, host access, root, no memory limit per workload (optional)",
    optional: true,
    analyze: (ctx) => analyzeSecurity(ctx.snap, ctx.now),
  },
];

export interface DiagnoseOptions {
  /** Analyzer ids to run; all when absent. Unknown ids are a user error. */
  filter?: string[];
  namespace?: string;
  /** Also run the optional (hygiene) analyzers when no filter is given. */
  all?: boolean;
}

export async function diagnose(
  ctx: AnalyzerContext,
  opts: DiagnoseOptions = {},
): Promise<Finding[]> {
  const chosen = selectAnalyzers(opts.filter, opts.all);
  const bounded: AnalyzerContext = ctx.readLog
    ? { ...ctx, readLog: budgetedLogReader(ctx.readLog) }
    : ctx;
  const out: Finding[] = [];
  for (const a of chosen) {
    out.push(...(await a.analyze(bounded)));
    // One analyzer at a time holds the event loop, not the whole pass (an agent serves requests).
    await setImmediate();
  }
  const folded = foldServiceOutages(out);
  return opts.namespace === undefined
    ? folded
    : folded.filter((f) => f.subject.namespace === opts.namespace);
}

export function selectAnalyzers(filter?: string[], all = false): Analyzer[] {
  if (!filter?.length) return all ? ANALYZERS : ANALYZERS.filter((a) => !a.optional);
  const unknown = filter.filter((id) => !ANALYZERS.some((a) => a.id === id));
  if (unknown.length) {
    throw new OpsloopError(
      "invalid_input",
      `unknown analyzer ${unknown.join(", ")}; known: ${ANALYZERS.map((a) => a.id).join(", ")}`,
    );
  }
  return ANALYZERS.filter((a) => filter.includes(a.id));
}
