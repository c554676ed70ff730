/** `opsloop demo`: the simulator and the agent in one process, talking over real HTTP. */
import type { Command } from "commander";
import { parseDuration } from "../../../core/clock.ts";
import { OpsloopError } from "../../../core/errors.ts";
import { runDemo } from "../demo-runner.ts";
import { parseNumberOption } from "../sim-runtime.ts";

interface DemoFlags {
  scenario: string;
  for: string;
  speed?: string;
  output: string;
  db?: string;
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("run a simulated cluster with faults and the whole opsloop loop on it")
    .option("--scenario <name>", "scenario to install", "demo")
    .option("--for <duration>", "stop after this much wall time (e.g. 60s)", "60s")
    .option("--speed <x>", "simulated seconds per wall second (default: the scenario's)")
    .option("--output <format>", "text or json", "text")
    .option("--db <file>", "SQLite database file", ":memory:")
    .action(async (flags: DemoFlags) => {
      if (flags.output !== "text" && flags.output !== "json") {
        throw new OpsloopError(
          "invalid_input",
          `--output must be text or json, got "${flags.output}"`,
        );
      }
      let forMs: number;
      try {
        forMs = parseDuration(flags.for);
      } catch (e) {
        throw new OpsloopError("invalid_input", `--for: ${(e as Error).message}`);
      }
      await runDemo({
        scenario: flags.scenario,
        forMs,
        speed: parseNumberOption("speed", flags.speed),
        output: flags.output,
        db: flags.db ?? ":memory:",
        write: (s) => process.stdout.write(s),
      });
    });
}
