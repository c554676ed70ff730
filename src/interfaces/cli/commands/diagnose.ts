/**
 * `opsloop diagnose`: every broken thing in a cluster with its root cause, evidence and fix.
 * One list + watch per kind through a KubeSource (informers), one in-memory pass of the
 * analyzers, logs read only for failing containers. Exit 0 when nothing at warning or above is
 * found, 1 when problems are found (or the cluster cannot be read), 2 for a usage error —
 * the CLI-wide convention of main.ts.
 */
import type { Command } from "commander";
import { investigatorModel } from "../../../agent/investigator/investigator.ts";
import { type Config, loadConfig } from "../../../config/config.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { opsloopVersion } from "../../../core/version.ts";
import { explainFindings } from "../../../diagnose/explain.ts";
import { ANALYZERS, diagnose, selectAnalyzers } from "../../../diagnose/index.ts";
import {
  buildReport,
  type DiagnoseReport,
  OUTPUT_FORMATS,
  render,
} from "../../../diagnose/output/index.ts";
import { KubeSource, loadKubeConfig } from "../../../sources/kubernetes/kube-source.ts";
import { useColour } from "../colour.ts";
import { outputFormat } from "../table.ts";

interface Flags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  filter?: string;
  all?: boolean;
  output: string;
  explain?: boolean;
  anonymize?: boolean;
  timeout: string;
}

export function registerDiagnoseCommand(program: Command): void {
  program
    .command("diagnose")
    .description("find what is broken in a cluster: root cause, evidence and fix per problem")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .option("-n, --namespace <ns>", "only findings about objects in this namespace")
    .option("-A, --all-namespaces", "every namespace (the default)")
    .option(
      "--filter <ids>",
      `comma-separated analyzers to run: ${ANALYZERS.map((a) => a.id).join(", ")}`,
    )
    .option("--all", "also run the optional hygiene analyzers (security, configmaps)")
    .option("--output <format>", OUTPUT_FORMATS.join(", "), "table")
    .option(
      "--explain",
      "explain each finding with the configured LLM (OPSLOOP_LLM_BASE_URL, OPSLOOP_LLM_MODEL); off otherwise",
    )
    .option("--anonymize", "with --explain: replace object and namespace names before sending")
    .option("--timeout <seconds>", "give up when the cluster has not been listed by then", "60")
    .action(diagnoseCommand);
}

async function diagnoseCommand(flags: Flags): Promise<void> {
  try {
    await diagnoseOnce(flags);
  } catch (e) {
    if (e instanceof OpsloopError && e.data?.exit === undefined)
      throw new OpsloopError(e.code, e.message, { cause: e, data: { ...e.data, exit: 2 } });
    throw e;
  }
}

async function diagnoseOnce(flags: Flags): Promise<void> {
  const output = outputFormat(flags.output, OUTPUT_FORMATS);
  if (flags.namespace && flags.allNamespaces)
    throw new OpsloopError("invalid_input", "-n and -A exclude each other");
  const filter = flags.filter
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const analyzers = selectAnalyzers(filter, flags.all);
  const timeoutS = Number(flags.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    throw new OpsloopError(
      "invalid_input",
      `--timeout must be a number of seconds; got "${flags.timeout}"`,
    );
  const config = loadConfig({ kubeconfig: flags.kubeconfig });
  const kc = loadKubeConfig(config.kubeconfig);
  if (flags.context) {
    if (!kc.getContexts().some((c) => c.name === flags.context))
      throw new OpsloopError("invalid_input", `no context "${flags.context}" in the kubeconfig`);
    kc.setCurrentContext(flags.context);
  }
  const source = new KubeSource(kc);
  try {
    await syncWithin(source, timeoutS * 1000);
    const now = Date.now();
    const findings = await diagnose(
      { snap: source.snapshot(), now, readLog: source.readLog },
      {
        ...(filter?.length ? { filter } : {}),
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        ...(flags.all ? { all: true } : {}),
      },
    );
    const report = buildReport(findings, {
      now,
      analyzers: analyzers.map((a) => a.id),
      context: kc.getCurrentContext(),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
    });
    if (flags.explain) await explain(report, config, flags.anonymize === true);
    const colour = output === "table" && useColour(process.stdout);
    process.stdout.write(render(report, output, { colour, toolVersion: opsloopVersion() }));
    const serious = report.summary.critical + report.summary.warning;
    if (serious > 0)
      throw new OpsloopError("conflict", `${serious} problem${serious === 1 ? "" : "s"} found`, {
        data: { exit: 1 },
      });
  } finally {
    await source.stop();
  }
}

/** Adds the model's explanations; without a configured model says so once and goes on. */
async function explain(report: DiagnoseReport, config: Config, anonymize: boolean): Promise<void> {
  const model = investigatorModel(config);
  if (!model) {
    process.stderr.write(
      "opsloop: --explain: no LLM configured (set OPSLOOP_LLM_BASE_URL and OPSLOOP_LLM_MODEL); nothing was sent\n",
    );
    return;
  }
  report.explanations = await explainFindings(report.findings, { model, anonymize });
}

async function syncWithin(source: KubeSource, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OpsloopError("timeout", `the cluster was not listed within ${ms / 1000}s`)),
      ms,
    );
  });
  try {
    await Promise.race([source.start(), timeout]);
  } catch (e) {
    if (e instanceof OpsloopError) throw e;
    throw new OpsloopError("unavailable", `cannot read the cluster: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    clearTimeout(timer);
  }
}
