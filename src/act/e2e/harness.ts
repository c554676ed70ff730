/**
 * End-to-end setup for the act stage: a scenario in the simulator behind its real API server,
 * the informer source, diagnose, incidents, the audit log and an executor whose waits step the
 * simulator (so verification timeouts are simulated time, deterministic on a busy machine).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Finding } from "../../core/types.ts";
import { DetectPipeline } from "../../detect/live/pipeline.ts";
import { diagnose } from "../../diagnose/index.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import type { SimCluster } from "../../sim/cluster.ts";
import { startScenario } from "../../sim/scenarios/harness.ts";
import { backfillSamples } from "../../sim/telemetry/backfill.ts";
import { KubeSource, loadKubeConfig } from "../../sources/kubernetes/kube-source.ts";
import { parseExposition, type Sample } from "../../sources/prometheus/scrape.ts";
import { type Db, openDb } from "../../store/sqlite.ts";
import { ApprovalStore } from "../approvals/store.ts";
import { AuditLog } from "../audit.ts";
import { kubeClusterActions } from "../cluster-actions.ts";
import { Executor, type ExecutorDeps } from "../executor.ts";
import { DEFAULT_POLICY } from "../guardrails/policy.ts";

export interface ActHarness {
  cluster: SimCluster;
  kc: KubeConfig;
  kubeconfig: string;
  source: KubeSource;
  db: Db;
  audit: AuditLog;
  approvals: ApprovalStore;
  incidents: IncidentManager;
  executor(over?: Partial<ExecutorDeps>): Executor;
  /** Diagnoses the informers' current snapshot. */
  findings(): Promise<Finding[]>;
  /** Steps the simulator and lets the informers catch up. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

const tick = () => new Promise<void>((r) => setTimeout(r, 5));

export async function startActHarness(
  scenario: string,
  opts: { tickMs?: number; warmup?: number } = {},
): Promise<ActHarness> {
  const { cluster } = startScenario(scenario, { tickMs: opts.tickMs });
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), "act-e2e-")), "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  cluster.step(opts.warmup ?? 60_000);
  const kc = loadKubeConfig(kubeconfig);
  const source = new KubeSource(kc);
  await source.start();
  const db = openDb();
  const audit = new AuditLog(db, cluster.clock);
  const approvals = new ApprovalStore({ db, audit, clock: cluster.clock });
  const incidents = new IncidentManager(db);
  // A step shorter than one simulator tick would move the clock without running controllers.
  const advance = async (ms: number) => {
    cluster.step(Math.max(ms, opts.tickMs ?? 1_000));
    await tick();
  };
  return {
    cluster,
    kc,
    kubeconfig,
    source,
    db,
    audit,
    approvals,
    incidents,
    executor: (over = {}) =>
      new Executor({
        cluster: kubeClusterActions(kc),
        policy: DEFAULT_POLICY,
        audit,
        approvals,
        db,
        clock: cluster.clock,
        wall: cluster.clock,
        sleep: advance,
        ...over,
      }),
    findings: async () => {
      await tick();
      return diagnose({
        snap: source.snapshot(),
        now: cluster.clock.now(),
        readLog: source.readLog,
      });
    },
    advance,
    close: async () => {
      await source.stop();
      await cluster.close();
    },
  };
}

/** Steps the simulator until `pred` holds (or fails after `maxMs` simulated). */
export async function until(
  h: ActHarness,
  pred: () => boolean | Promise<boolean>,
  maxMs = 600_000,
  stepMs = 5_000,
) {
  for (let t = 0; t <= maxMs; t += stepMs) {
    if (await pred()) return;
    await h.advance(stepMs);
  }
  throw new Error(`condition not reached within ${maxMs} ms of simulated time`);
}

/** Live detection that has seen `days` of the cluster's history (backfilled, one sample a minute). */
export function backfilledPipeline(h: ActHarness, days = 1): DetectPipeline {
  const pipeline = new DetectPipeline();
  let batch: Sample[] = [];
  const end = h.cluster.clock.now() - 30_000;
  for (const s of backfillSamples(h.cluster, { days, stepSeconds: 60, end })) {
    batch.push(s);
    if (batch.length >= 10_000) {
      pipeline.observe(batch);
      batch = [];
    }
  }
  pipeline.observe(batch);
  return pipeline;
}

/** Steps the simulator, feeds one scrape of its /metrics to `pipeline`; the findings now. */
export async function scrapeInto(
  h: ActHarness,
  pipeline: DetectPipeline,
  ms = 30_000,
): Promise<Finding[]> {
  await h.advance(ms);
  pipeline.observe(parseExposition(h.cluster.telemetry.render(), h.cluster.clock.now()));
  return pipeline.findings(h.cluster.clock.now());
}

/** Stands in for the human: approves every pending request as it appears; call to stop. */
export function autoApprove(h: ActHarness, actor = "oncall"): () => void {
  const timer = setInterval(() => {
    for (const a of h.approvals.list({ status: "pending" })) h.approvals.approve(a.id, { actor });
  }, 5);
  return () => clearInterval(timer);
}
