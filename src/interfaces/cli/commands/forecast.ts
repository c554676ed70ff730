/** `opsloop forecast --input FILE.csv`: seasonal forecast with prediction intervals. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { OpsloopError } from "../../../core/errors.ts";
import { forecast } from "../../../forecast/forecast.ts";
import { parseSeriesCsv } from "../../../forecast/series-csv.ts";
import { formatTable, outputFormat } from "../table.ts";

interface ForecastFlags {
  input: string;
  horizon: string;
  period?: string;
  level: string;
  output: string;
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new OpsloopError("invalid_input", `${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** The command's output text: an aligned table or a JSON document. */
export function runForecast(flags: ForecastFlags): string {
  outputFormat(flags.output, ["table", "json"] as const);
  let text: string;
  try {
    text = readFileSync(flags.input, "utf8");
  } catch (e) {
    throw new OpsloopError("invalid_input", `cannot read ${flags.input}`, { cause: e });
  }
  const series = parseSeriesCsv(text);
  const horizon = positiveInt("--horizon", flags.horizon);
  const level = Number(flags.level);
  const result = forecast(series.values, {
    horizon,
    level,
    ...(flags.period === undefined ? {} : { period: positiveInt("--period", flags.period) }),
  });
  const last = series.times[series.times.length - 1] as number;
  const rows = result.mean.map((mean, h) => {
    const ms = last + (h + 1) * series.stepMs;
    return {
      timestamp: series.unixSeconds ? String(ms / 1000) : new Date(ms).toISOString(),
      mean,
      lower: result.lower[h] as number,
      upper: result.upper[h] as number,
    };
  });
  if (flags.output === "json") {
    return `${JSON.stringify({ model: result.model, periods: result.periods, level, forecast: rows }, null, 2)}\n`;
  }
  const head = `model: ${result.model}; periods: ${result.periods.join(", ") || "none"} samples; ${level}% interval\n`;
  const body = rows.map((r) => [
    r.timestamp,
    r.mean.toFixed(3),
    r.lower.toFixed(3),
    r.upper.toFixed(3),
  ]);
  return `${head}${formatTable(["timestamp", "mean", "lower", "upper"], body)}`;
}

export function registerForecastCommand(program: Command): void {
  program
    .command("forecast")
    .description("forecast a timestamp,value CSV (seasonality detected, model chosen by backtest)")
    .requiredOption("--input <file>", "CSV with header timestamp,value")
    .option("--horizon <n>", "steps to forecast", "24")
    .option("--period <n>", "seasonal period in samples (default: detected)")
    .option("--level <pct>", "prediction interval coverage in percent", "95")
    .option("--output <format>", "table or json", "table")
    .action((flags: ForecastFlags) => {
      process.stdout.write(runForecast(flags));
    });
}
