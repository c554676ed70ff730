/**
 * `opsloop node-readiness manifests|reconcile`: the NodeReadinessRule CRD and opsloop's
 * predictive-isolation rule as YAML (for `kubectl apply -f -`), and one enforcement pass over a
 * cluster where the upstream node-readiness-controller is not installed.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { stringify } from "yaml";
import { AuditLog } from "../../../act/audit.ts";
import {
  NodeReadinessEnforcer,
  type ReconcileReport,
} from "../../../act/node-readiness/controller.ts";
import { predictiveIsolationRule } from "../../../act/node-readiness/predictive-isolation.ts";
import { nodeReadinessRuleCrd } from "../../../act/node-readiness/types.ts";
import { loadConfig } from "../../../config/config.ts";
import { parseDuration, systemClock } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { loadKubeConfig } from "../../../sources/kubernetes/kube-source.ts";
import { openDb } from "../../../store/sqlite.ts";
import { formatTable, outputFormat } from "../table.ts";

export function registerNodeReadinessCommand(program: Command): void {
  const cmd = program
    .command("node-readiness")
    .description("NodeReadinessRule (readiness.node.x-k8s.io/v1alpha1) enforcement");
  cmd
    .command("manifests [which]")
    .description(
      "print the CRD (crd), the predictive-isolation rule (rule) or both (all) as YAML; apply the CRD first, kubectl cannot validate a rule before its CRD exists",
    )
    .action((which = "all") => {
      const all = {
        crd: [nodeReadinessRuleCrd()],
        rule: [predictiveIsolationRule()],
        all: [nodeReadinessRuleCrd(), predictiveIsolationRule()],
      };
      const docs = all[which as keyof typeof all];
      if (!docs)
        throw new OpsloopError(
          "invalid_input",
          `manifests: which is crd, rule or all; got "${which}"`,
        );
      process.stdout.write(docs.map((d) => stringify(d)).join("---\n"));
    });
  cmd
    .command("reconcile")
    .description("add or remove each rule's taint, unless the upstream controller runs")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
    .option("--db <file>", "SQLite database whose audit log records each taint change")
    .option("--every <duration>", "keep enforcing at this interval (e.g. 30s) until SIGINT/SIGTERM")
    .option("--output <format>", "table or json (one line per pass with --every)", "table")
    .action(reconcileCommand);
}

interface ReconcileFlags {
  kubeconfig?: string;
  db?: string;
  every?: string;
  output: string;
}

async function reconcileCommand(flags: ReconcileFlags): Promise<void> {
  const output = outputFormat(flags.output, ["table", "json"] as const);
  const everyMs = flags.every === undefined ? undefined : parseDurationFlag(flags.every);
  const config = loadConfig({ kubeconfig: flags.kubeconfig });
  if (flags.db && !existsSync(flags.db))
    throw new OpsloopError("invalid_input", `no database at ${flags.db}`);
  const db = flags.db ? openDb(flags.db) : undefined;
  const enforcer = new NodeReadinessEnforcer({
    kc: loadKubeConfig(config.kubeconfig),
    clock: systemClock,
    ...(db ? { audit: new AuditLog(db, systemClock) } : {}),
  });
  try {
    if (everyMs === undefined) {
      print(await enforcer.reconcile(), output, false);
      return;
    }
    await untilSignal(everyMs, async () => {
      try {
        print(await enforcer.reconcile(), output, true);
      } catch (e) {
        // A controller keeps going through API hiccups; the next pass retries.
        process.stderr.write(`opsloop: reconcile failed: ${(e as Error).message}\n`);
      }
    });
  } finally {
    db?.close();
  }
}

function parseDurationFlag(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new OpsloopError(
      "invalid_input",
      `--every must be a duration such as 30s; got "${text}"`,
    );
  }
}

/** Runs `pass` now and every `ms` until the first SIGINT/SIGTERM. */
async function untilSignal(ms: number, pass: () => Promise<void>): Promise<void> {
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    for (;;) {
      await pass();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = new Promise<"next">((r) => {
        timer = setTimeout(() => r("next"), ms);
      });
      const why = await Promise.race([next, stopped.then(() => "stop" as const)]);
      clearTimeout(timer);
      if (why === "stop") return;
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

function print(report: ReconcileReport, output: "table" | "json", lines: boolean): void {
  if (output === "json") {
    process.stdout.write(`${lines ? JSON.stringify(report) : JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if (report.skipped) {
    process.stdout.write(`skipped: ${report.skipped}\n`);
    return;
  }
  const list = (xs: string[]) => xs.join(",") || "-";
  const rows = report.rules.map((r) => [
    r.rule,
    r.invalid ? "invalid" : r.dryRun ? "dry-run" : "enforced",
    list(r.added),
    list(r.removed),
    list(r.failed),
    r.invalid ?? "",
  ]);
  process.stdout.write(
    formatTable(["RULE", "MODE", "TAINTED", "UNTAINTED", "FAILED", "PROBLEM"], rows),
  );
}
