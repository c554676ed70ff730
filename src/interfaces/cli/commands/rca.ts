/**
 * `opsloop rca --metrics FILE.csv [--anomaly-time T] [--deps a->b,b->c] [--output json|table]`:
 * ranks root-cause services from a wide metrics CSV (`time`, then `<service>_<metric>`).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { OpsloopError } from "../../../core/errors.ts";
import { rankServices, type ServiceRank } from "../../../incidents/rca/metric-rank.ts";
import { parseWideCsv } from "../../../incidents/rca/wide-table.ts";
import { outputFormat } from "../table.ts";

interface RcaFlags {
  metrics: string;
  anomalyTime?: string;
  deps?: string;
  output: string;
}

function parseTime(text: string): number {
  const n = Number(text);
  if (Number.isFinite(n)) return n < 1e11 ? n * 1000 : n;
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new OpsloopError(
      "invalid_input",
      `--anomaly-time must be epoch seconds or a timestamp, got "${text}"`,
    );
  return t;
}

/** `web->api,api->db` (caller->callee). */
export function parseDeps(text: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const edge of text.split(",").filter((e) => e.trim())) {
    const [from, to] = edge.split("->").map((s) => s.trim());
    if (!from || !to)
      throw new OpsloopError("invalid_input", `--deps edge "${edge}" must be caller->callee`);
    deps.set(from, [...(deps.get(from) ?? []), to]);
  }
  return deps;
}

export function formatRanking(ranked: ServiceRank[]): string {
  const rows = ranked.map((r, i) => [
    String(i + 1),
    r.service,
    r.confidence.toFixed(2),
    r.metrics
      .slice(0, 2)
      .map((m) => `${m.metric} ${fmt(m.baseline)}→${fmt(m.after)}`)
      .join("; ") || "-",
    r.explainedBy.length ? `explained by ${r.explainedBy.join(", ")}` : "",
  ]);
  const head = ["RANK", "SERVICE", "CONFIDENCE", "DEVIATION", "TOPOLOGY"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")
    .concat("\n");
}

const fmt = (x: number) => (Number.isNaN(x) ? "?" : String(Number(x.toPrecision(3))));

export function runRca(flags: RcaFlags): string {
  outputFormat(flags.output, ["table", "json"] as const);
  let text: string;
  try {
    text = readFileSync(flags.metrics, "utf8");
  } catch (e) {
    throw new OpsloopError("invalid_input", `cannot read ${flags.metrics}`, { cause: e });
  }
  const ranked = rankServices(parseWideCsv(text), {
    ...(flags.anomalyTime ? { anomalyTime: parseTime(flags.anomalyTime) } : {}),
    ...(flags.deps ? { deps: parseDeps(flags.deps) } : {}),
  });
  return flags.output === "json"
    ? `${JSON.stringify({ ranking: ranked }, null, 2)}\n`
    : formatRanking(ranked);
}

export function registerRcaCommand(program: Command): void {
  program
    .command("rca")
    .description("rank root-cause services from a wide metrics CSV (time,<service>_<metric>...)")
    .requiredOption(
      "--metrics <file>",
      "CSV: a time column, then one column per <service>_<metric>",
    )
    .option(
      "--anomaly-time <t>",
      "when the symptom began (epoch seconds or ISO); default: detected",
    )
    .option("--deps <edges>", "call graph as caller->callee pairs, e.g. web->api,api->db")
    .option("--output <format>", "table or json", "table")
    .action((flags: RcaFlags) => {
      process.stdout.write(runRca(flags));
    });
}
