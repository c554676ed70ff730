/**
 * Test and bench support: a scenario cluster started mid-week with a week of backfilled history
 * fed to a DetectPipeline, then stepped live with a scrape of its /metrics text every interval.
 * Mid-week, because the simulator's traffic model switches its weekend factor at midnight and a
 * week of history ending on a Monday has never seen that Sunday → Monday step.
 */

import type { Finding } from "../../core/types.ts";
import { SimCluster } from "../../sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  scenarioClusterOptions,
} from "../../sim/scenarios/index.ts";
import { backfillSamples } from "../../sim/telemetry/backfill.ts";
import { parseExposition, type Sample } from "../../sources/prometheus/scrape.ts";
import type { DetectPipeline } from "./pipeline.ts";

export const MIDWEEK = Date.UTC(2026, 0, 7, 10, 0, 0);

export interface SimRunOptions {
  start?: number;
  historyDays?: number;
  stepSeconds?: number;
  /** Simulated time before the history ends, for pods to be scheduled. */
  settleMs?: number;
}

export function scenarioWithHistory(name: string, pipeline: DetectPipeline, o: SimRunOptions = {}) {
  const scenario = loadScenario(name);
  const cluster = new SimCluster({
    ...scenarioClusterOptions(scenario),
    start: o.start ?? MIDWEEK,
    seed: 1,
    tickMs: 5000,
  });
  installScenario(cluster, scenario);
  cluster.step(o.settleMs ?? 60_000);
  const stepSeconds = o.stepSeconds ?? 60;
  let batch: Sample[] = [];
  const end = cluster.clock.now() - stepSeconds * 500;
  for (const s of backfillSamples(cluster, { days: o.historyDays ?? 7, stepSeconds, end })) {
    batch.push(s);
    if (batch.length >= 10_000) {
      pipeline.observe(batch);
      batch = [];
    }
  }
  pipeline.observe(batch);
  return cluster;
}

/** Steps `minutes` of simulated time, scraping every `scrapeSeconds`; calls `each` after each scrape. */
export function runLive(
  cluster: SimCluster,
  pipeline: DetectPipeline,
  minutes: number,
  scrapeSeconds: number,
  each?: (now: number, findings: Finding[]) => boolean | undefined,
): void {
  const steps = Math.round((minutes * 60) / scrapeSeconds);
  for (let i = 0; i < steps; i++) {
    cluster.step(scrapeSeconds * 1000);
    pipeline.observe(parseExposition(cluster.telemetry.render(), cluster.clock.now()));
    if (each?.(cluster.clock.now(), pipeline.findings())) return;
  }
}
