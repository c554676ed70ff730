/**
 * `opsloop rightsize`: CPU/memory recommendations per container (KRR-compatible, OOM-aware),
 * with the reason for every skip, a monthly savings estimate at configurable prices, node-shape
 * advice, and ready-to-apply strategic-merge patches (`--output yaml`).
 */
import type { Command } from "commander";
import { stringify } from "yaml";
import { OpsloopError } from "../../../core/errors.ts";
import {
  DEFAULT_PRICES,
  nodeShapeAdvice,
  type Recommendation,
  resourcesPatch,
  rightsize,
} from "../../../forecast/rightsize.ts";
import { collectUsage } from "../../../forecast/usage-collect.ts";
import { type HistoryFlags, loadHistory } from "../history-source.ts";
import { parseNumberOption } from "../sim-runtime.ts";
import { formatTable, outputFormat } from "../table.ts";

interface RightsizeFlags extends HistoryFlags {
  days: string;
  namespace?: string;
  output: string;
  cpuPrice?: string;
  memoryPrice?: string;
  allowHpa?: boolean;
}

const MI = 2 ** 20;

export async function runRightsize(flags: RightsizeFlags): Promise<string> {
  const output = outputFormat(flags.output, ["table", "json", "yaml"] as const);
  const days = parseNumberOption("days", flags.days) ?? 14;
  if (days < 0.125) throw new OpsloopError("invalid_input", "--days must be at least 0.125 (3 h)");
  const prices = {
    cpuHour: parseNumberOption("cpu-price", flags.cpuPrice) ?? DEFAULT_PRICES.cpuHour,
    memoryGiBHour:
      parseNumberOption("memory-price", flags.memoryPrice) ?? DEFAULT_PRICES.memoryGiBHour,
  };
  const history = await loadHistory(flags, days);
  const recs = collectUsage(history.samples, history.snap)
    .filter((u) => !flags.namespace || u.namespace === flags.namespace)
    .map((u) => rightsize(u, { prices, allowHpa: flags.allowHpa }));
  const shape = nodeShapeAdvice(recs);
  const savings = Math.round(recs.reduce((s, r) => s + r.monthlySavings, 0) * 100) / 100;
  if (output === "json")
    return `${JSON.stringify({ recommendations: recs, nodeShape: shape, monthlySavings: savings, prices }, null, 2)}\n`;
  if (output === "yaml") return patchesYaml(recs);
  const rows = recs.map((r) => [
    `${r.namespace}/${r.workload.name}`,
    r.container,
    r.cpu.skipped ? "?" : `${r.cpu.request}m`,
    r.memory.skipped ? "?" : `${Math.round((r.memory.request as number) / MI)}Mi`,
    r.monthlySavings.toFixed(2),
    [
      r.cpu.skipped ? `cpu: ${r.cpu.reason}` : "",
      r.memory.skipped ? `memory: ${r.memory.reason}` : "",
    ]
      .filter(Boolean)
      .join("; "),
  ]);
  return (
    formatTable(["WORKLOAD", "CONTAINER", "CPU REQ", "MEMORY", "SAVES $/MO", "SKIPPED"], rows) +
    `\ntotal estimated saving: $${savings.toFixed(2)}/month at $${prices.cpuHour}/vCPU-h and $${prices.memoryGiBHour}/GiB-h\n` +
    `node shape: ${shape.family} (${shape.reason})\n`
  );
}

/** One strategic-merge patch document per workload, with the kubectl command that applies it. */
function patchesYaml(recs: Recommendation[]): string {
  const byWorkload = new Map<string, Recommendation[]>();
  for (const r of recs) {
    const k = `${r.workload.kind}/${r.namespace}/${r.workload.name}`;
    byWorkload.set(k, [...(byWorkload.get(k) ?? []), r]);
  }
  const docs: string[] = [];
  for (const [k, rs] of byWorkload) {
    const [kind, ns, name] = k.split("/") as [string, string, string];
    const patch = resourcesPatch(rs);
    const containers = (patch.spec as { template: { spec: { containers: unknown[] } } }).template
      .spec.containers;
    if (!containers.length) continue;
    docs.push(
      `# kubectl -n ${ns} patch ${kind.toLowerCase()} ${name} --type strategic --patch-file <this document>\n${stringify(patch)}`,
    );
  }
  return docs.join("---\n");
}

export function registerRightsizeCommand(program: Command): void {
  program
    .command("rightsize")
    .description(
      "recommend container CPU/memory requests from usage history (KRR-compatible, OOM-aware)",
    )
    .option(
      "--scenario <name>",
      "read history from this simulated scenario (a name in scenarios/, e.g. traffic-surge)",
    )
    .option(
      "--prometheus <url>",
      "read metrics history from this Prometheus (objects from --kubeconfig)",
    )
    .option(
      "--kubeconfig <file>",
      "cluster whose objects --prometheus history belongs to (default: $KUBECONFIG or in-cluster)",
    )
    .option("--days <n>", "days of history to read", "14")
    .option("-n, --namespace <ns>", "only this namespace")
    .option("--cpu-price <usd>", "price of one vCPU-hour", String(DEFAULT_PRICES.cpuHour))
    .option("--memory-price <usd>", "price of one GiB-hour", String(DEFAULT_PRICES.memoryGiBHour))
    .option("--allow-hpa", "recommend even for resources an HPA scales on")
    .option("--output <format>", "table, json, or yaml (strategic-merge patches)", "table")
    .action(async (flags: RightsizeFlags) => {
      process.stdout.write(await runRightsize(flags));
    });
}
