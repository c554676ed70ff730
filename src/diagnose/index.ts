/**
 * Diagnosis: every analyzer over one snapshot. Add an analyzer by appending it to ANALYZERS
 * (one line); the CLI's `--filter`, the tools and the agent all run through `diagnose()`.
 */
import { OpsloopError } from "../core/errors.ts";
import type { Finding } from "../core/types.ts";
import type { Analyzer, AnalyzerContext } from "./analyzer.ts";
import { analyzeEventPatterns } from "./analyzers/event-patterns.ts";
import { analyzeJobs } from "./analyzers/jobs.ts";
import { analyzeNodes } from "./analyzers/nodes.ts";
import { analyzePending } from "./analyzers/pending.ts";
import { analyzePodStartup } from "./analyzers/pod-startup.ts";
import { analyzeProbes } from "./analyzers/probes.ts";
import { analyzeWorkloads } from "./analyzers/workloads.ts";

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
];

export interface DiagnoseOptions {
  /** Analyzer ids to run; all when absent. Unknown ids are a user error. */
  filter?: string[];
  namespace?: string;
}

export async function diagnose(
  ctx: AnalyzerContext,
  opts: DiagnoseOptions = {},
): Promise<Finding[]> {
  const chosen = selectAnalyzers(opts.filter);
  const out: Finding[] = [];
  for (const a of chosen) out.push(...(await a.analyze(ctx)));
  return opts.namespace === undefined
    ? out
    : out.filter((f) => f.subject.namespace === opts.namespace);
}

export function selectAnalyzers(filter?: string[]): Analyzer[] {
  if (!filter?.length) return ANALYZERS;
  const unknown = filter.filter((id) => !ANALYZERS.some((a) => a.id === id));
  if (unknown.length) {
    throw new OpsloopError(
      "invalid_input",
      `unknown analyzer ${unknown.join(", ")}; known: ${ANALYZERS.map((a) => a.id).join(", ")}`,
    );
  }
  return ANALYZERS.filter((a) => filter.includes(a.id));
}
