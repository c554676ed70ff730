/** `opsloop policy schema|check`: the guardrail policy's JSON schema, and validation of a file. */
import type { Command } from "commander";
import { loadPolicy, policyJsonSchema } from "../../../act/guardrails/policy.ts";

export function registerPolicyCommand(program: Command): void {
  const cmd = program.command("policy").description("guardrail policy files");
  cmd
    .command("schema")
    .description("print the JSON schema of a policy file")
    .action(() => {
      process.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
    });
  cmd
    .command("check <file>")
    .description("validate a policy file, including that every CEL condition compiles")
    .action((file: string) => {
      const policy = loadPolicy(file);
      process.stdout.write(
        `policy ${file} is valid: ${policy.rules.length} rules, ${policy.rateLimits.length} rate limits, mode ${policy.mode}\n`,
      );
    });
}
