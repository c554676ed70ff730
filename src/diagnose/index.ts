/**
 * Diagnosis: every analyzer over one snapshot. Add an analyzer by appending it to ANALYZERS
 * (one line); the CLI's `--filter`, the tools and the agent all run through `diagnose()`.
 */
import { OpsloopError } from "../core/errors.ts";
import type { Finding } from "../core/types.ts";
import type { Analyzer, AnalyzerContext } from "./analyzer.ts";
import { analyzePodStartup } from "./analyzers/pod-startup.ts";

export const ANALYZERS: Analyzer[] = [
  {
    id: "pod-startup",
    description: "pods that cannot start or keep crashing: missing config, image pulls, crashes",
    analyze: (ctx) => analyzePodStartup(ctx.snap, ctx.now, ctx.readLog),
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
