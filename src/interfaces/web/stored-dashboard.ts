/**
 * Test support: the dashboard served over stored incidents, on a runtime that is not started
 * (so the incidents stay as written while a page reads them), with chromium ready.
 */
import type { Browser } from "playwright-core";
import { type Runtime, startRuntime } from "../../agent/runtime.ts";
import { type IncidentRecord, saveIncident } from "../../incidents/record.ts";
import { type ServedRuntime, serveRuntime } from "../cli/serve-runtime.ts";
import { type RunningSim, startSim } from "../cli/sim-runtime.ts";
import { launchBrowser } from "./browser.ts";

export interface StoredDashboard {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Starts the healthy simulator and a runtime, stores `incidents(now)`, serves the dashboard. */
export async function storedDashboard(
  incidents: (now: number) => IncidentRecord[],
): Promise<StoredDashboard> {
  let sim: RunningSim | undefined;
  let rt: Runtime | undefined;
  let served: ServedRuntime | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await served?.http.close();
    await rt?.close();
    await sim?.close();
  };
  try {
    sim = await startSim({ scenario: "healthy" });
    rt = await startRuntime({
      kubeconfig: sim.kubeconfig,
      clock: sim.cluster.clock,
      autoStart: false,
    });
    for (const inc of incidents(sim.cluster.clock.now())) saveIncident(rt.db, inc);
    served = await serveRuntime(rt);
    browser = await launchBrowser();
    return { url: served.http.url, browser, close };
  } catch (e) {
    await close();
    throw e;
  }
}
