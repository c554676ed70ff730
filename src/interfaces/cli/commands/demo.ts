/** `opsloop demo`: the simulator and the agent in one process, talking over real HTTP. */
import type { Command } from "commander";
import { parseDuration } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { useColour } from "../colour.ts";
import { runDemo } from "../demo-runner.ts";
import { parseNumberOption } from "../sim-runtime.ts";
import { outputFormat } from "../table.ts";
import { parsePort, stopOnSignals } from "./run.ts";

interface DemoFlags {
  scenario: string;
  for: string;
  speed?: string;
  output: string;
  db?: string;
  policy?: string;
  port?: string;
  dashboard: boolean;
}

function parseFor(value: string): number {
  try {
    return parseDuration(value);
  } catch (e) {
    throw new OpsloopError("invalid_input", `--for: ${(e as Error).message}`);
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description(
      "run a simulated cluster with faults and the whole opsloop loop on it, with the dashboard",
    )
    .option("--scenario <name>", "scenario to install (see docs/scenarios.md)", "demo")
    .option(
      "--for <duration>",
      "stop after this much wall time (e.g. 60s; 0 = until Ctrl-C)",
      "60s",
    )
    .option("--speed <x>", "simulated seconds per wall second (default: the scenario's)")
    .option("--output <format>", "text (alias table) or json", "text")
    .option("--db <file>", "SQLite database file", ":memory:")
    .option("--policy <file>", "guardrail policy YAML (default: the built-in policy)")
    .option("--port <n>", "dashboard and API port on 127.0.0.1 (default: a free port)")
    .option("--no-dashboard", "do not serve the API and dashboard")
    .action(async (flags: DemoFlags) => {
      const output = outputFormat(flags.output, ["text", "json"] as const, { table: "text" });
      const forMs = parseFor(flags.for);
      const stop = stopOnSignals();
      try {
        await runDemo({
          scenario: flags.scenario,
          forMs,
          speed: parseNumberOption("speed", flags.speed),
          output,
          db: flags.db ?? ":memory:",
          policyFile: flags.policy,
          dashboard: flags.dashboard,
          port: parsePort(flags.port),
          write: (s) => process.stdout.write(s),
          tty: useColour(process.stdout),
          progress: (s) => {
            if (process.stderr.isTTY) process.stderr.write(s);
          },
          signal: stop.signal,
        });
      } finally {
        stop.dispose();
      }
    });
}
