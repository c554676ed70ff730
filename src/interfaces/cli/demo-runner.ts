/**
 * `opsloop demo`: a simulated cluster and the whole loop in one process. The agent talks to the
 * simulator only as it would to a real cluster — client-node over HTTP with the kubeconfig, and a
 * Prometheus scrape of `/metrics` — while stamping time with the simulator's clock. The API and
 * dashboard are served beside it unless `dashboard: false`.
 */
import { type Runtime, startRuntime } from "../../agent/runtime.ts";
import { loadConfig } from "../../config/config.ts";
import { clusterHistory } from "../../forecast/history/simulated.ts";
import { type DemoSummary, formatAction, formatEvent, paint, summarize } from "./demo-output.ts";
import { type ServedRuntime, serveRuntime } from "./serve-runtime.ts";
import { startSim } from "./sim-runtime.ts";

export interface DemoOptions {
  scenario: string;
  /** Wall time to run; 0 runs until `signal` aborts. */
  forMs: number;
  speed?: number;
  output: "text" | "json";
  db: string;
  policyFile?: string;
  write: (s: string) => void;
  /** `write` goes to a terminal: colour the event keywords. */
  tty?: boolean;
  /** Progress lines that are not the result (stderr on a terminal). */
  progress?: (s: string) => void;
  /** Wall interval of agent ticks and scrapes. */
  intervalMs?: number;
  /** Serve the API and dashboard (default true) on this port (default 0: any free port). */
  dashboard?: boolean;
  port?: number;
  token?: string;
  verifyTimeoutMs?: number;
  /** Called once the loop runs and the dashboard listens. */
  onReady?: (x: { runtime: Runtime; served?: ServedRuntime; simUrl: string }) => void;
  signal?: AbortSignal;
}

function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = ms > 0 ? setTimeout(done, ms) : undefined;
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  const config = loadConfig({ db: o.db, policyFile: o.policyFile });
  const sim = await startSim({ scenario: o.scenario, speed: o.speed });
  const clock = sim.cluster.clock;
  let rt: Runtime | undefined;
  let served: ServedRuntime | undefined;
  try {
    rt = await startRuntime({
      kubeconfig: sim.kubeconfig,
      db: config.db,
      policyFile: config.policyFile,
      clock,
      intervalMs: o.intervalMs ?? 1000,
      verifyTimeoutMs: o.verifyTimeoutMs ?? 20_000,
      resolveAfterMs: 3 * 60_000,
      usageHistory: (days) => clusterHistory(sim.cluster, days),
      autoStart: false,
      config,
    });
    if (o.dashboard ?? true) served = await serveRuntime(rt, { port: o.port, token: o.token });
    if (o.output === "text") {
      o.write(
        `simulated cluster at ${sim.url} (kubeconfig ${sim.kubeconfig}), scenario ${o.scenario}\n`,
      );
      if (served) o.write(`dashboard: ${served.dashboardUrl}\n`);
      const tty = o.tty ?? false;
      rt.events.on("incident", (e) => o.write(paint(formatEvent(e), tty)));
      rt.events.on("action", (i, a) => o.write(paint(formatAction(i, a), tty)));
    } else if (served) o.progress?.(`dashboard: ${served.dashboardUrl}\n`);
    const startedAt = clock.now();
    rt.start();
    o.onReady?.({ runtime: rt, served, simUrl: sim.url });
    await waitFor(o.forMs, o.signal);
    await rt.stop();
    const errors = rt.errors();
    const summary = summarize({
      scenario: o.scenario,
      startedAt,
      endedAt: clock.now(),
      incidents: rt.incidents,
      audit: rt.audit,
      errors,
    });
    o.write(
      o.output === "json"
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `${summary.incidents.length} incidents; audit chain ${summary.audit.verification.ok ? "verified" : "BROKEN"}\n`,
    );
    return summary;
  } finally {
    await served?.http.close();
    await rt?.close();
    await sim.close();
  }
}
