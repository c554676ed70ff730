/**
 * `opsloop scan DIR|FILE...`: offline security and reliability checks of Kubernetes manifests,
 * for reviewers and CI. Exit 0 when nothing at or above `--fail-on` is found, 1 when something
 * is, 2 for a usage error (the CLI-wide convention of main.ts).
 */
import type { Command } from "commander";
import { OpsloopError } from "../../../core/errors.ts";
import type { Severity } from "../../../core/types.ts";
import { opsloopVersion } from "../../../core/version.ts";
import { renderScan, SCAN_FORMATS, scanReport } from "../../../scan/output.ts";
import { atOrAbove, scanPaths } from "../../../scan/scan.ts";
import { outputFormat } from "../table.ts";

const SEVERITIES: Severity[] = ["info", "warning", "critical"];

interface Flags {
  output: string;
  failOn: string;
}

export function registerScanCommand(program: Command): void {
  program
    .command("scan")
    .description(
      "check Kubernetes manifests offline: security and reliability findings with fixes (table, JSON, SARIF)",
    )
    .argument("<paths...>", "directories (searched recursively for *.yaml, *.yml, *.json) or files")
    .option("--output <format>", SCAN_FORMATS.join(", "), "table")
    .option(
      "--fail-on <severity>",
      "exit 1 on findings at or above: info, warning, critical",
      "warning",
    )
    .action(scanCommand);
}

function scanCommand(paths: string[], flags: Flags): void {
  const output = outputFormat(flags.output, SCAN_FORMATS);
  const failOn = flags.failOn as Severity;
  if (!SEVERITIES.includes(failOn))
    throw new OpsloopError(
      "invalid_input",
      `--fail-on must be ${SEVERITIES.join(", ")}; got "${flags.failOn}"`,
    );
  const report = scanReport(scanPaths(paths));
  process.stdout.write(renderScan(report, output, opsloopVersion()));
  const failing = atOrAbove(report.findings, failOn).length;
  if (failing > 0)
    throw new OpsloopError(
      "conflict",
      `${failing} finding${failing === 1 ? "" : "s"} at or above ${failOn}`,
      { data: { exit: 1 } },
    );
}
