/** `opsloop sim`: a simulated Kubernetes API server that kubectl can talk to, until Ctrl-C. */
import type { Command } from "commander";
import { parseNumberOption, startSim } from "../sim-runtime.ts";

interface SimFlags {
  scenario?: string;
  port?: string;
  speed?: string;
  kubeconfig?: string;
}

export function registerSimCommand(program: Command): void {
  program
    .command("sim")
    .description("run a simulated Kubernetes cluster (API server + scenario) until Ctrl-C")
    .option("--scenario <name>", "scenario name or YAML path to install")
    .option("--port <n>", "port to listen on (0 = random)", "0")
    .option("--speed <x>", "simulated seconds per wall second (default: the scenario's, else 1)")
    .option("--kubeconfig <file>", "where to write the kubeconfig")
    .action(async (flags: SimFlags) => {
      const sim = await startSim({
        scenario: flags.scenario,
        port: parseNumberOption("port", flags.port),
        speed: parseNumberOption("speed", flags.speed),
        kubeconfig: flags.kubeconfig,
      });
      process.stdout.write(`API server: ${sim.url}\nkubeconfig: ${sim.kubeconfig}\n`);
      process.stdout.write(`try: kubectl --kubeconfig ${sim.kubeconfig} get pods -A\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await sim.close();
    });
}
