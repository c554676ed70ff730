/** `opsloop runbooks list|check|schema`: the built-in (or a directory's) runbooks, validation, JSON schema. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  BUILTIN_RUNBOOKS_DIR,
  loadRunbooks,
  parseRunbook,
  runbookJsonSchema,
} from "../../../act/runbook.ts";
import { OpsloopError } from "../../../core/errors.ts";

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new OpsloopError("invalid_input", `cannot read runbook ${file}: ${(e as Error).message}`);
  }
}

export function registerRunbooksCommand(program: Command): void {
  const cmd = program.command("runbooks").description("remediation runbooks");
  cmd
    .command("list")
    .description("list runbooks: trigger reasons and steps")
    .option("--dir <dir>", "a directory of runbook YAML files", BUILTIN_RUNBOOKS_DIR)
    .action((flags: { dir: string }) => {
      for (const r of loadRunbooks(flags.dir))
        process.stdout.write(
          `${r.name}\t${r.trigger.reasons.join(",")}\t${r.steps.map((s) => s.action).join(" → ")}\n`,
        );
    });
  cmd
    .command("check <files...>")
    .description("validate runbook files: schema, action parameters and CEL conditions")
    .action((files: string[]) => {
      for (const f of files) {
        const r = parseRunbook(read(f), f);
        process.stdout.write(`runbook ${f} is valid: ${r.name}, ${r.steps.length} steps\n`);
      }
    });
  cmd
    .command("schema")
    .description("print the JSON schema of a runbook file")
    .action(() => {
      process.stdout.write(`${JSON.stringify(runbookJsonSchema(), null, 2)}\n`);
    });
}
