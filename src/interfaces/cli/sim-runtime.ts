/**
 * Starts a simulated cluster for the `sim` and `demo` commands: builds `SimCluster` with the
 * scenario's options, listens on HTTP, installs the scenario and writes a kubeconfig so real
 * clients (kubectl, client-node) connect.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpsloopError } from "../../core/errors.ts";
import { SimCluster } from "../../sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  type Scenario,
  scenarioClusterOptions,
} from "../../sim/scenarios/index.ts";

export interface RunningSim {
  cluster: SimCluster;
  scenario: Scenario | undefined;
  url: string;
  kubeconfig: string;
  close(): Promise<void>;
}

export interface StartSimOptions {
  scenario?: string;
  port?: number;
  speed?: number;
  kubeconfig?: string;
}

function load(name: string): Scenario {
  try {
    return loadScenario(name);
  } catch (e) {
    // A missing or malformed scenario is the user's input: a one-line error, exit 2.
    throw new OpsloopError("invalid_input", (e as Error).message, { cause: e });
  }
}

export async function startSim(opts: StartSimOptions): Promise<RunningSim> {
  const scenario = opts.scenario ? load(opts.scenario) : undefined;
  const base = scenario ? scenarioClusterOptions(scenario) : {};
  const cluster = new SimCluster({ ...base, speed: opts.speed ?? base.speed ?? 1 });
  const url = await cluster.listen({ port: opts.port ?? 0, host: "127.0.0.1" });
  const kubeconfig = opts.kubeconfig ?? join(mkdtempSync(join(tmpdir(), "opsloop-")), "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  if (scenario) installScenario(cluster, scenario);
  cluster.start();
  return { cluster, scenario, url, kubeconfig, close: () => cluster.close() };
}

export function parseNumberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new OpsloopError(
      "invalid_input",
      `--${name} must be a non-negative number, got "${value}"`,
    );
  }
  return n;
}
