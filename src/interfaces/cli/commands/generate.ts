/**
 * `opsloop generate (--scenario S | --prometheus URL [--kubeconfig F]) --out DIR`: HPAs, KEDA
 * pre-scaling objects and PrometheusRules computed from the workloads' history, written one YAML
 * file per object for GitOps review, each checked first by a server-side dry run on the cluster
 * the history came from (a file the server rejects, e.g. a ScaledObject where KEDA is not
 * installed, is reported and not written, and the command exits 1).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { parseAllDocuments, stringify } from "yaml";
import { OpsloopError } from "../../../core/errors.ts";
import {
  type GeneratedFile,
  type GenerateOptions,
  generateAll,
} from "../../../forecast/generate/generate.ts";
import { dryRunAll, type Validation } from "../../../forecast/generate/validate.ts";
import { SimCluster } from "../../../sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  scenarioClusterOptions,
} from "../../../sim/scenarios/index.ts";
import type { KubeObject } from "../../../sim/store/types.ts";
import { loadKubeConfig } from "../../../sources/kubernetes/kube-source.ts";
import { type HistoryFlags, loadHistory } from "../history-source.ts";
import { parseNumberOption } from "../sim-runtime.ts";
import { formatTable, outputFormat } from "../table.ts";

interface GenerateFlags extends HistoryFlags {
  out: string;
  days: string;
  kinds: string;
  validate: boolean;
  output: string;
}

const KINDS = ["hpa", "prescale", "alerts"] as const;
const CRDS = new URL("../../../forecast/generate/sim-crds.yaml", import.meta.url);

function parseKinds(raw: string): NonNullable<GenerateOptions["kinds"]> {
  const kinds = raw.split(",").map((k) => k.trim());
  const bad = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
  if (bad.length)
    throw new OpsloopError(
      "invalid_input",
      `--kinds: unknown ${bad.join(", ")}; choose from ${KINDS.join(", ")}`,
    );
  return kinds as NonNullable<GenerateOptions["kinds"]>;
}

export async function runGenerate(flags: GenerateFlags): Promise<{ text: string; failed: number }> {
  const output = outputFormat(flags.output, ["table", "json"] as const);
  const kinds = parseKinds(flags.kinds);
  const days = parseNumberOption("days", flags.days) ?? 28;
  const { files, skipped } = generateAll(await loadHistory(flags, days), { kinds });
  const validations: Validation[] = !flags.validate
    ? files.map((f) => ({ file: f.file, ok: true, message: "not validated (--no-validate)" }))
    : flags.scenario
      ? await dryRunOnScenario(flags.scenario, files)
      : await dryRunAll(loadKubeConfig(flags.kubeconfig), files);
  mkdirSync(flags.out, { recursive: true });
  for (const f of files) {
    if (!validations.find((v) => v.file === f.file)?.ok) continue;
    writeFileSync(join(flags.out, f.file), `# ${f.reason}\n${stringify(f.object)}`);
  }
  const failed = validations.filter((v) => !v.ok).length;
  const text =
    output === "json"
      ? `${JSON.stringify({ out: flags.out, files: validations, skipped }, null, 2)}\n`
      : formatTable(
          ["FILE", "DRY RUN"],
          validations.map((v) => [v.file, v.ok ? "ok" : `REJECTED: ${v.message}`]),
        ) +
        skipped.map((s) => `${s.workload}: ${s.reason}\n`).join("") +
        `${files.length - failed} file(s) written to ${flags.out}\n`;
  return { text, failed };
}

/** The scenario's simulated cluster, with the KEDA and Prometheus Operator CRDs installed. */
async function dryRunOnScenario(name: string, files: GeneratedFile[]): Promise<Validation[]> {
  let scenario: ReturnType<typeof loadScenario>;
  try {
    scenario = loadScenario(name);
  } catch (e) {
    throw new OpsloopError("invalid_input", (e as Error).message, { cause: e });
  }
  const cluster = new SimCluster(scenarioClusterOptions(scenario));
  const dir = mkdtempSync(join(tmpdir(), "opsloop-generate-"));
  try {
    installScenario(cluster, scenario);
    cluster.apply(parseAllDocuments(readFileSync(CRDS, "utf8")).map((d) => d.toJS() as KubeObject));
    await cluster.listen({ port: 0, host: "127.0.0.1" });
    cluster.writeKubeconfig(join(dir, "kubeconfig"));
    return await dryRunAll(loadKubeConfig(join(dir, "kubeconfig")), files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cluster.close();
  }
}

export function registerGenerateCommand(program: Command): void {
  program
    .command("generate")
    .description(
      "write HPAs, pre-scaling (KEDA) and alert rules (PrometheusRule) learned from history, for GitOps review",
    )
    .option("--scenario <name>", "read history from this simulated scenario (e.g. traffic-surge)")
    .option(
      "--prometheus <url>",
      "read metrics history from this Prometheus (objects from --kubeconfig, dry run there too)",
    )
    .option(
      "--kubeconfig <file>",
      "cluster whose objects --prometheus history belongs to (default: $KUBECONFIG or in-cluster)",
    )
    .requiredOption("--out <dir>", "directory to write the YAML files into")
    .option("--days <n>", "days of history", "28")
    .option("--kinds <list>", "what to generate: hpa,prescale,alerts", "hpa,prescale,alerts")
    .option("--no-validate", "skip the server-side dry run")
    .option("--output <format>", "table or json", "table")
    .action(async (flags: GenerateFlags) => {
      const { text, failed } = await runGenerate(flags);
      process.stdout.write(text);
      if (failed) process.exitCode = 1;
    });
}
