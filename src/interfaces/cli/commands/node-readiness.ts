/**
 * `opsloop node-readiness manifests|reconcile`: the NodeReadinessRule CRD and opsloop's
 * predictive-isolation rule as YAML (for `kubectl apply -f -`), and one enforcement pass over a
 * cluster where the upstream node-readiness-controller is not installed.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { stringify } from "yaml";
import { AuditLog } from "../../../act/audit.ts";
import { NodeReadinessEnforcer } from "../../../act/node-readiness/controller.ts";
import { predictiveIsolationRule } from "../../../act/node-readiness/predictive-isolation.ts";
import { nodeReadinessRuleCrd } from "../../../act/node-readiness/types.ts";
import { loadConfig } from "../../../config/config.ts";
import { systemClock } from "../../../core/clock.ts";
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
    .description("add or remove each rule's taint once, unless the upstream controller runs")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
    .option("--db <file>", "SQLite database whose audit log records each taint change")
    .option("--output <format>", "table or json", "table")
    .action(async (flags: { kubeconfig?: string; db?: string; output: string }) => {
      const output = outputFormat(flags.output, ["table", "json"] as const);
      const config = loadConfig({ kubeconfig: flags.kubeconfig });
      if (flags.db && !existsSync(flags.db))
        throw new OpsloopError("invalid_input", `no database at ${flags.db}`);
      const db = flags.db ? openDb(flags.db) : undefined;
      try {
        const enforcer = new NodeReadinessEnforcer({
          kc: loadKubeConfig(config.kubeconfig),
          clock: systemClock,
          ...(db ? { audit: new AuditLog(db, systemClock) } : {}),
        });
        const report = await enforcer.reconcile();
        if (output === "json") {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
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
      } finally {
        db?.close();
      }
    });
}
