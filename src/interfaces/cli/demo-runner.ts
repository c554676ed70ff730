/**
 * `opsloop demo`: a simulated cluster and the whole loop in one process. The agent talks to the
 * simulator only as it would to a real cluster — client-node over HTTP with the kubeconfig, and a
 * Prometheus scrape of `/metrics` — while stamping time with the simulator's clock.
 */
import { AuditLog } from "../../act/audit.ts";
import { kubeClusterActions } from "../../act/cluster-actions.ts";
import { Executor } from "../../act/executor.ts";
import { DEFAULT_POLICY, loadPolicy } from "../../act/guardrails/policy.ts";
import { loadRunbooks } from "../../act/runbook.ts";
import { Agent } from "../../agent/agent.ts";
import { loadConfig } from "../../config/config.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { KubeSource, loadKubeConfig } from "../../sources/kubernetes/kube-source.ts";
import { Scraper } from "../../sources/prometheus/scrape.ts";
import { openDb } from "../../store/sqlite.ts";
import { type DemoSummary, formatAction, formatEvent, summarize } from "./demo-output.ts";
import { startSim } from "./sim-runtime.ts";

export interface DemoOptions {
  scenario: string;
  forMs: number;
  speed?: number;
  output: "text" | "json";
  db: string;
  write: (s: string) => void;
  /** Wall interval of agent ticks and scrapes. */
  intervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  const config = loadConfig({ db: o.db });
  const sim = await startSim({ scenario: o.scenario, speed: o.speed });
  const db = openDb(config.db);
  const kc = loadKubeConfig(sim.kubeconfig);
  const source = new KubeSource(kc);
  const errors: string[] = [];
  const clock = sim.cluster.clock;
  try {
    await source.start();
    const audit = new AuditLog(db, clock);
    const incidents = new IncidentManager(db, { resolveAfterMs: 3 * 60_000 });
    const policy = config.policyFile ? loadPolicy(config.policyFile) : DEFAULT_POLICY;
    const executor = new Executor({
      cluster: kubeClusterActions(kc),
      policy,
      audit,
      clock,
      verifyTimeoutMs: 20_000,
    });
    const agent = new Agent({
      source,
      incidents,
      executor,
      audit,
      runbooks: loadRunbooks(),
      clock,
    });
    const interval = o.intervalMs ?? 1000;
    const scraper = new Scraper({
      url: `${sim.url}/metrics`,
      intervalMs: interval,
      clock,
      onSamples: (s) => agent.observeSamples(s),
      onError: (e) => errors.push(`scrape: ${(e as Error).message}`),
    });
    if (o.output === "text") {
      o.write(
        `simulated cluster at ${sim.url} (kubeconfig ${sim.kubeconfig}), scenario ${o.scenario}\n`,
      );
      agent.on("incident", (e) => o.write(formatEvent(e)));
      agent.on("action", (i, a) => o.write(formatAction(i, a)));
    }
    agent.on("error", (e) => errors.push(`agent: ${(e as Error).message}`));
    const startedAt = clock.now();
    scraper.start();
    agent.start(interval);
    await sleep(o.forMs);
    scraper.stop();
    // Remediations still verifying get a short grace period, then the demo ends regardless.
    await Promise.race([agent.stop(), sleep(5000)]);
    const summary = summarize({
      scenario: o.scenario,
      startedAt,
      endedAt: clock.now(),
      incidents,
      audit,
      errors: [...errors, ...source.errors],
    });
    o.write(
      o.output === "json"
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `${summary.incidents.length} incidents; audit chain ${summary.audit.verification.ok ? "verified" : "BROKEN"}\n`,
    );
    return summary;
  } finally {
    await source.stop();
    await sim.close();
    db.close();
  }
}
