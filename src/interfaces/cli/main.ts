/**
 * The `opsloop` command line. Commands live one per file in ./commands and are registered from
 * ./commands/index.ts. Errors are translated once here: OpsloopError("invalid_input") → exit 2
 * with a one-line message, other failures → exit 1, never a stack trace.
 */
import { Command, CommanderError } from "commander";
import { isOpsloopError } from "../../core/errors.ts";
import { opsloopVersion } from "../../core/version.ts";
import { registerCommands } from "./commands/index.ts";

/** Printed after the command list: where to start, by what the reader wants to do. */
const GUIDE = `
Start here:
  opsloop demo                         a simulated cluster with faults and the whole loop on it
  opsloop sim --scenario bad-rollout   only the simulator; then kubectl --kubeconfig FILE get pods -A

On a cluster (uses $KUBECONFIG or the in-cluster service account):
  opsloop diagnose -A                  every broken thing, with root cause, evidence and fix
  opsloop run                          the agent: detect, diagnose, act within policy, dashboard
  opsloop mcp                          read-only tools for AI assistants (add --allow-write for guarded changes)

Capacity and cost:
  opsloop rightsize --prometheus URL   request recommendations with the saving
  opsloop plan-scaling --prometheus URL --workload NS/NAME
                                       replica floors ahead of forecast traffic

Every command takes --help; most take --output json for scripts. Colour only on a terminal,
never with NO_COLOR set. opsloop --version prints the version.
Exit codes: 0 ok, 1 problems found or a failure, 2 a usage error (diagnose: 2 for any error).
`;

export function buildProgram(): Command {
  const program = new Command()
    .name("opsloop")
    .description("AIOps engine for Kubernetes: observe, detect, diagnose, act, learn")
    .version(opsloopVersion(), "-V, --version", "print the opsloop version")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  for (const c of program.commands) c.exitOverride();
  program.addHelpText("after", GUIDE);
  return program;
}

/** Runs the CLI with a full argv (node, script, ...args); sets process.exitCode. */
export async function main(argv: string[]): Promise<number> {
  const code = await run(argv);
  process.exitCode = code;
  return code;
}

async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isOpsloopError(e)) {
      process.stderr.write(`opsloop: ${e.message}\n`);
      const exit = e.data?.exit;
      if (typeof exit === "number") return exit;
      return e.code === "invalid_input" ? 2 : 1;
    }
    process.stderr.write(`opsloop: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
