/**
 * `opsloop plan-scaling`: forecast a workload's request rate (48 h ahead by default), measure
 * its per-replica capacity from history, and print the pre-scaling plan: windows with replica
 * floors, as a table, JSON, or the manifests (`--output yaml`: a KEDA ScaledObject with cron
 * triggers; the HPA minReplicas schedule and node capacity are in the JSON).
 */
import type { Command } from "commander";
import { stringify } from "yaml";
import { isoTime } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { planWorkload } from "../../../forecast/plan-workload.ts";
import {
  kedaScaledObject,
  minReplicasSchedule,
  nodeCapacity,
} from "../../../forecast/scaling-manifests.ts";
import { parseQuantity } from "../../../sim/quantity.ts";
import { type HistoryFlags, loadHistory } from "../history-source.ts";
import { parseNumberOption } from "../sim-runtime.ts";
import { formatTable, outputFormat } from "../table.ts";

interface PlanFlags extends HistoryFlags {
  workload: string;
  days: string;
  horizon: string;
  target: string;
  margin: string;
  max: string;
  buffer: string;
  nodeCpu: string;
  nodeMemory: string;
  output: string;
}

function parseWorkload(raw: string): { namespace: string; name: string } {
  const m = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(raw);
  if (!m)
    throw new OpsloopError("invalid_input", `--workload must be namespace/name, got "${raw}"`);
  return { namespace: m[1] as string, name: m[2] as string };
}

export async function runPlanScaling(flags: PlanFlags): Promise<string> {
  const output = outputFormat(flags.output, ["table", "json", "yaml"] as const);
  const w = parseWorkload(flags.workload);
  const num = (name: string, v: string) => parseNumberOption(name, v) as number;
  const days = num("days", flags.days);
  if (days < 1)
    throw new OpsloopError(
      "invalid_input",
      "--days must be at least 1: a plan needs 24 h of history (as AWS predictive scaling)",
    );
  const history = await loadHistory(flags, days);
  const {
    plan,
    traffic,
    model,
    capacityPerReplica: capacity,
  } = planWorkload(
    history,
    { kind: "Deployment", ...w },
    {
      horizonHours: Math.round(num("horizon", flags.horizon)),
      targetUtilization: num("target", flags.target),
      margin: num("margin", flags.margin),
      maxReplicas: Math.round(num("max", flags.max)),
      bufferMs: num("buffer", flags.buffer) * 1000,
    },
  );
  const nodes = nodeCapacity(plan, traffic.podRequests, {
    cpuMilli: parseQuantity(flags.nodeCpu) * 1000,
    memoryBytes: parseQuantity(flags.nodeMemory),
  });
  const keda = kedaScaledObject({ ...w }, plan, {
    minReplicas: traffic.replicas,
    maxReplicas: Math.round(num("max", flags.max)),
  });
  if (output === "yaml") return stringify(keda);
  if (output === "json") {
    return `${JSON.stringify({ workload: w, model: model, capacityPerReplica: capacity, currentReplicas: traffic.replicas, windows: plan.windows, minReplicasSchedule: minReplicasSchedule(plan, traffic.replicas), nodes, scaledObject: keda }, null, 2)}\n`;
  }
  const rows = plan.windows.map((x) => [
    isoTime(x.start),
    isoTime(x.end),
    String(x.replicas),
    x.peakRps.toFixed(1),
    x.capped ? "capped at --max" : "",
  ]);
  return (
    `forecast model ${model}; measured capacity ${capacity.toFixed(1)} rps per replica at 100% CPU; ${traffic.replicas} replicas now\n` +
    (rows.length
      ? formatTable(["FROM", "UNTIL", "REPLICAS", "PEAK RPS", "NOTE"], rows)
      : "no window needs more than the current replicas\n") +
    `peak needs ${nodes.nodes} node(s) of ${flags.nodeCpu} CPU / ${flags.nodeMemory} for this workload (NodePool limits cpu ${nodes.nodePoolLimits.cpu}, memory ${nodes.nodePoolLimits.memory})\n`
  );
}

export function registerPlanScalingCommand(program: Command): void {
  program
    .command("plan-scaling")
    .description(
      "forecast a workload's traffic and plan replicas ahead of it (never scales in on a forecast)",
    )
    .option("--scenario <name>", "read history from this simulated scenario (e.g. traffic-surge)")
    .option(
      "--prometheus <url>",
      "read metrics history from this Prometheus (objects from --kubeconfig)",
    )
    .option(
      "--kubeconfig <file>",
      "cluster whose objects --prometheus history belongs to (default: $KUBECONFIG or in-cluster)",
    )
    .requiredOption("--workload <ns/name>", "the Deployment to plan, e.g. shop/web")
    .option("--days <n>", "days of history (at least 1; 14 recommended)", "28")
    .option("--horizon <hours>", "hours to plan ahead", "48")
    .option("--target <ratio>", "CPU utilisation to stay under", "0.7")
    .option("--margin <ratio>", "headroom on top of the forecast", "0.1")
    .option("--max <n>", "maxReplicas", "20")
    .option("--buffer <seconds>", "raise the floor this early (pods need time to start)", "300")
    .option("--node-cpu <q>", "allocatable CPU of one node", "4")
    .option("--node-memory <q>", "allocatable memory of one node", "16Gi")
    .option("--output <format>", "table, json, or yaml (KEDA ScaledObject)", "table")
    .action(async (flags: PlanFlags) => {
      process.stdout.write(await runPlanScaling(flags));
    });
}
