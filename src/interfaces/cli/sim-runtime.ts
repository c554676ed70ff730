/**
 * Starts a simulated cluster for the `sim` and `demo` commands: builds `SimCluster`, listens on
 * HTTP, installs a scenario and writes a kubeconfig so real clients (kubectl, client-node) connect.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpsloopError } from "../../core/errors.ts";
import { SimCluster } from "../../sim/cluster.ts";

/** The scenario API of src/sim/scenarios (owned by the scenario work), as this CLI uses it. */
interface ScenarioApi {
  listScenarios(): unknown[];
  loadScenario(nameOrPath: string): unknown;
  installScenario(cluster: SimCluster, scenario: unknown): unknown;
}

// A computed specifier keeps the CLI compiling while the scenario module is still being written.
const SCENARIOS_MODULE = "../../sim/scenarios/index.ts";

async function scenarioApi(): Promise<ScenarioApi> {
  try {
    return (await import(SCENARIOS_MODULE)) as ScenarioApi;
  } catch (e) {
    throw new OpsloopError("unavailable", "the scenario library is not available", { cause: e });
  }
}

export interface RunningSim {
  cluster: SimCluster;
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

export async function startSim(opts: StartSimOptions): Promise<RunningSim> {
  const api = opts.scenario ? await scenarioApi() : undefined;
  let scenario: unknown;
  if (api && opts.scenario) {
    try {
      scenario = api.loadScenario(opts.scenario);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new OpsloopError("invalid_input", `unknown scenario "${opts.scenario}": ${msg}`);
    }
  }
  const cluster = new SimCluster({ speed: opts.speed ?? 1 });
  const url = await cluster.listen({ port: opts.port ?? 0, host: "127.0.0.1" });
  const kubeconfig = opts.kubeconfig ?? join(mkdtempSync(join(tmpdir(), "opsloop-")), "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  if (api && scenario !== undefined) api.installScenario(cluster, scenario);
  cluster.start();
  return { cluster, url, kubeconfig, close: () => cluster.close() };
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
