/** `opsloop detect --input FILE.csv`: streaming anomaly scores for a `timestamp,value` CSV. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { OpsloopError } from "../../../core/errors.ts";
import { formatScoredCsv, scoreCsv } from "../../../detect/score-csv.ts";
import { outputFormat } from "../table.ts";

interface DetectFlags {
  input: string;
  output: string;
}

/** The command's output text for a CSV file: scored CSV or JSON rows with explanations. */
export function runDetect(flags: DetectFlags): string {
  const output = outputFormat(flags.output, ["csv", "json"] as const);
  let text: string;
  try {
    text = readFileSync(flags.input, "utf8");
  } catch (e) {
    throw new OpsloopError("invalid_input", `cannot read ${flags.input}`, { cause: e });
  }
  const rows = scoreCsv(text);
  return output === "csv" ? formatScoredCsv(rows) : `${JSON.stringify(rows)}\n`;
}

export function registerDetectCommand(program: Command): void {
  program
    .command("detect")
    .description("score a timestamp,value CSV with the streaming anomaly detector (no look-ahead)")
    .requiredOption("--input <file>", "CSV with header timestamp,value")
    .option("--output <format>", "csv (timestamp,value,anomaly_score) or json", "csv")
    .action((flags: DetectFlags) => {
      process.stdout.write(runDetect(flags));
    });
}
