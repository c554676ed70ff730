/**
 * Detection as a tool: `get_anomalies` lists what the live detect pipeline flags now (one
 * finding per subject and metric, several pods of a workload folded into one), strongest first.
 * Read-only. (`get_predictions` stays with the loop tools: it reads every prediction finding.)
 */
import { z } from "zod";
import type { Finding } from "../core/types.ts";
import { pageOf } from "./budget.ts";
import type { ToolContext } from "./context.ts";
import { defineTool, type Tool } from "./registry.ts";
import { FindingSchema, PageInput, PageOutput } from "./schemas.ts";

const READ = { readOnly: true, destructive: false, idempotent: true, openWorld: false };

/** The pipeline's live view when wired; otherwise the anomaly findings the loop holds. */
function current(ctx: ToolContext): Finding[] {
  if (ctx.anomalies) return ctx.anomalies();
  return ctx.findings().filter((f) => f.kind === "anomaly");
}

const getAnomalies = defineTool({
  name: "get_anomalies",
  title: "Get anomalies",
  description:
    "Metric anomalies the streaming detectors see now (latency, errors, traffic, CPU, memory, node hardware), one per workload or node and metric, with an explanation against the learned baseline and the strongest samples as evidence.",
  input: z
    .object({
      namespace: z.string().optional().describe("only subjects in this namespace"),
      subject: z.string().optional().describe("only this workload, pod or node name"),
      minScore: z.number().min(0).max(1).default(0).describe("only scores at or above this"),
      ...PageInput,
    })
    .strict(),
  output: z.object({ anomalies: z.array(FindingSchema), ...PageOutput }),
  annotations: READ,
  run: async (ctx, i) => {
    const all = current(ctx)
      .filter((f) => i.namespace === undefined || f.subject.namespace === i.namespace)
      .filter(
        (f) =>
          i.subject === undefined ||
          f.subject.name === i.subject ||
          f.affected.some((a) => a.name === i.subject),
      )
      .filter((f) => f.confidence >= i.minScore)
      .sort((a, b) => b.confidence - a.confidence || b.time - a.time);
    const { items, ...page } = pageOf(all, i);
    return { anomalies: items, ...page };
  },
});

export const DETECT_TOOLS: Tool[] = [getAnomalies];
