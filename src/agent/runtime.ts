/**
 * The whole loop for one kubeconfig, built once for every surface (`opsloop run`, `opsloop demo`,
 * `opsloop mcp`, the HTTP API): informers, the metrics scraper, the agent, incidents, the
 * executor behind the guardrails and the audit log, with a `ToolContext` over them. The runtime
 * drives the agent's ticks itself so it can count and time them for `/metrics`.
 */
import { EventEmitter } from "node:events";
import type { LanguageModel } from "ai";
import { ApprovalStore } from "../act/approvals/store.ts";
import { AuditLog } from "../act/audit.ts";
import { type ClusterActions, kubeClusterActions } from "../act/cluster-actions.ts";
import { promMetricsReader } from "../act/executor/verify.ts";
import { Executor } from "../act/executor.ts";
import { DEFAULT_POLICY, loadPolicy, type Policy } from "../act/guardrails/policy.ts";
import { NodeReadinessEnforcer } from "../act/node-readiness/controller.ts";
import { loadRunbooks, type Runbook } from "../act/runbook.ts";
import type { Config } from "../config/config.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { redactText } from "../core/redact.ts";
import type { ActionSummary, Incident } from "../core/types.ts";
import {
  DetectionConfigSchema,
  type DetectionService,
  startDetection,
} from "../detect/live/service.ts";
import { prometheusHistory } from "../forecast/history/prometheus.ts";
import { PrescaleForecaster } from "../forecast/prescale-forecaster.ts";
import { type IncidentEvent, IncidentManager } from "../incidents/incidents.ts";
import { notifierFromConfig } from "../incidents/notify.ts";
import { IncidentRca } from "../incidents/rca/incident-rca.ts";
import { KubeSource, loadKubeConfig } from "../sources/kubernetes/kube-source.ts";
import { PromClient } from "../sources/prometheus/api-client.ts";
import { type Sample, Scraper } from "../sources/prometheus/scrape.ts";
import { type Db, openDb } from "../store/sqlite.ts";
import type { ToolContext } from "../tools/context.ts";
import { Agent } from "./agent.ts";
import { Foreground } from "./foreground.ts";
import {
  type AutoInvestigator,
  attachInvestigator,
  type InvestigatorBudgets,
} from "./investigator/auto.ts";
import { investigatorModel } from "./investigator/investigator.ts";
import { RuntimeMetrics } from "./runtime-metrics.ts";
import { SeriesBuffer } from "./runtime-series.ts";
import { ownerOfPod, topologyOf } from "./snapshot-index.ts";

export interface RuntimeOptions {
  /** Kubeconfig file; the default loading rules (in-cluster, ~/.kube/config) when absent. */
  kubeconfig?: string;
  /** SQLite file or ":memory:" (default), or an open database the caller closes. */
  db?: string | Db;
  /** A policy value, else a YAML policy file, else the built-in default policy. */
  policy?: Policy;
  policyFile?: string;
  /** Exposition endpoint to scrape; `<api-server>/metrics` when absent, `false` for none. */
  metricsUrl?: string | false;
  /** Prometheus-compatible query API for query_metrics (absent: that tool says it is not configured). */
  prometheusUrl?: string;
  /** Stamps incidents and audit records (the simulator's clock in a demo). */
  clock?: Clock;
  /** Wall interval of ticks and scrapes (default 1000 ms). */
  intervalMs?: number;
  verifyTimeoutMs?: number;
  resolveAfterMs?: number;
  runbooks?: Runbook[];
  /** Usage history for the forecast / plan_scaling / rightsize tools (the demo's scenario). */
  usageHistory?: ToolContext["usageHistory"];
  /** How long an approval request stays decidable (default one hour). */
  approvalTtlMs?: number;
  /** Start ticking and scraping once the informers synced (default true). */
  autoStart?: boolean;
  /** Notification targets and other settings from the config file / environment. */
  config?: Pick<
    Config,
    | "notifyWebhookUrl"
    | "notifySlackUrl"
    | "llmBaseUrl"
    | "llmModel"
    | "llmApiKey"
    | "llmMaxSteps"
    | "llmMaxOutputTokens"
  >;
  /**
   * The LLM investigator's budgets, and a model that overrides the configured one (tests). Off
   * when neither this model nor `config.llmBaseUrl` + `config.llmModel` is given.
   */
  investigator?: InvestigatorBudgets & { model?: LanguageModel };
  /** Enforce NodeReadinessRules when the upstream controller is absent (default true). */
  nodeReadiness?: boolean;
}

export interface RuntimeEvents {
  incident: [IncidentEvent];
  action: [Incident, ActionSummary];
  tick: [{ time: number; durationMs: number }];
}

export interface Runtime {
  readonly source: KubeSource;
  readonly agent: Agent;
  readonly incidents: IncidentManager;
  readonly audit: AuditLog;
  readonly approvals: ApprovalStore;
  readonly executor: Executor;
  readonly cluster: ClusterActions;
  readonly policy: Policy;
  readonly runbooks: Runbook[];
  readonly clock: Clock;
  readonly db: Db;
  readonly ctx: ToolContext;
  readonly metrics: RuntimeMetrics;
  readonly series: SeriesBuffer;
  /** Live anomaly detection: its findings feed the agent; its ingest app takes remote-write/OTLP. */
  readonly detection: DetectionService;
  /** The LLM investigator, when a model is configured. */
  readonly investigator?: AutoInvestigator;
  /** Tool calls run through it; the scrape's parsing and feeding wait for calls in flight. */
  readonly foreground: Foreground;
  /** Incident and action changes from the agent and from tool calls, and every tick. */
  readonly events: EventEmitter<RuntimeEvents>;
  /** Recent errors from the agent, the scraper and the informers (newest last). */
  errors(): string[];
  /** True once every informer completed its first list. */
  ready(): boolean;
  start(): void;
  /** Stops ticking and scraping and waits (briefly) for remediations in flight; data stays readable. */
  stop(): Promise<void>;
  /** Stops, then closes the informers and the database it opened. Idempotent. */
  close(): Promise<void>;
}

/**
 * Samples handed to live detection at a time, at most. A sample of a series the detectors have
 * not seen costs its new detector ~2 ms (a copy of a sibling replica's learned state; more with
 * the garbage collection it causes), an old series' sample a few µs: the slice starts at one
 * sample, doubles while slices are cheap and drops back to one after an expensive one, and a
 * macrotask takes slices until FEED_BUDGET_MS.
 */
const MAX_PUSH_SLICE = 256;
/** Wall time one macrotask of feeding live detection may take before it yields to requests. */
const FEED_BUDGET_MS = 8;
/**
 * Scrapes waiting to be fed beyond which feeding stops waiting for requests (foreground): a
 * burst of calls only delays it (a large cluster's first scrapes take seconds of CPU), but a
 * never-ending stream of them must not queue scrapes without bound.
 */
const MAX_SCRAPES_BEHIND = 30;

export async function startRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const kc = loadKubeConfig(opts.kubeconfig);
  const errors: string[] = [];
  const note = (where: string, e: unknown) => {
    // Errors quote URLs, selectors and API bodies: credentials in them must not reach the log.
    errors.push(redactText(`${where}: ${e instanceof Error ? e.message : String(e)}`));
    if (errors.length > 50) errors.shift();
  };
  const ownDb = typeof opts.db !== "object";
  const db = typeof opts.db === "object" ? opts.db : openDb(opts.db ?? ":memory:");
  const clock = opts.clock ?? systemClock;
  const policy = opts.policy ?? (opts.policyFile ? loadPolicy(opts.policyFile) : DEFAULT_POLICY);
  const runbooks = opts.runbooks ?? loadRunbooks();
  const cluster = kubeClusterActions(kc);
  const audit = new AuditLog(db, clock);
  const source = new KubeSource(kc);
  const rca = new IncidentRca({ snapshot: () => source.snapshot(), topology: topologyOf });
  const incidents = new IncidentManager(db, {
    resolveAfterMs: opts.resolveAfterMs,
    topology: () => topologyOf(source.snapshot()),
    hypotheses: (inc) => rca.hypotheses(inc),
    onError: (e) => note("rca", e),
  });
  if (opts.config) notifierFromConfig(opts.config)?.attach(incidents);
  const approvals = new ApprovalStore({ db, audit, clock, ttlMs: opts.approvalTtlMs });
  const prometheus = opts.prometheusUrl ? new PromClient({ url: opts.prometheusUrl }) : undefined;
  const executor = new Executor({
    cluster,
    policy,
    audit,
    clock,
    db,
    approvals,
    // Runbook verification may bound metrics when a Prometheus API is configured.
    metrics: prometheus && promMetricsReader(prometheus),
    verifyTimeoutMs: opts.verifyTimeoutMs,
  });
  const detection = await startDetection({
    config: DetectionConfigSchema.parse({}),
    clock,
    db,
    resolve: (namespace, pod) => ownerOfPod(source.snapshot(), namespace, pod),
    onError: (e) => note("detect", e),
  });
  // The agent makes its own OOM predictions from the scrape (its runbooks are built on them);
  // the live pipeline adds anomalies and the other limit predictions.
  const usageHistory: ToolContext["usageHistory"] =
    opts.usageHistory ??
    (prometheus ? (days) => prometheusHistory(prometheus, source.snapshot(), days) : undefined);
  // The forecast path: HPA floors raised ahead of predicted surges (the prescale runbooks).
  const prescale = new PrescaleForecaster({
    history: (days) => usageHistory?.(days),
    snapshot: () => source.snapshot(),
    clock,
    onError: (e) => note("forecast", e),
  });
  const extraFindings = () => [
    ...detection.findings().filter((f) => f.reason !== "OOMPredicted"),
    ...prescale.findings(),
  ];
  const agent = new Agent({ source, incidents, executor, audit, runbooks, clock, extraFindings });
  const enforcer =
    (opts.nodeReadiness ?? true) ? new NodeReadinessEnforcer({ kc, clock, audit }) : undefined;
  const metrics = new RuntimeMetrics();
  const series = new SeriesBuffer();
  const events = new EventEmitter<RuntimeEvents>();
  const foreground = new Foreground();
  agent.on("incident", (e) => events.emit("incident", e));
  agent.on("action", (i, a) => {
    metrics.inc("opsloop_actions_total", { result: a.result });
    events.emit("action", i, a);
  });
  agent.on("error", (e) => note("agent", e));
  registerGauges(metrics, agent, incidents);

  // One scrape of a large cluster is tens of thousands of samples: its three consumers run one
  // macrotask each (in scrape order), so a request never waits behind all of them at once, and
  // each waits for the tool calls in flight (foreground.turn).
  let feeding: Promise<unknown> = Promise.resolve();
  let behind = 0;
  const turn = () => foreground.turn(behind > MAX_SCRAPES_BEHIND);
  const feed = async (s: Sample[]) => {
    await turn();
    agent.observeSamples(s);
    await turn();
    series.add(s);
    await turn();
    rca.observe(s, s[0]?.t ?? clock.now());
    // The first scrapes of a large cluster are thousands of new series (~1 s of detector set-up
    // per 2,000 samples), later ones cost µs a sample: a fixed slice per macrotask either blocks
    // requests for a second or takes hundreds of turns. So each macrotask pushes small slices
    // and delivers them at once (flush: the stream would deliver them on its next turn anyway,
    // in the same order) until its time budget is spent. A refused slice (backpressure) drops
    // the rest of the scrape, as a refused whole scrape was dropped before.
    const stream = detection.stream;
    let slice = 1;
    for (let i = 0; i < s.length; ) {
      await turn();
      const started = performance.now();
      let now = started;
      do {
        const before = now;
        if (!stream.push(s.slice(i, i + slice)).ok) return;
        stream.flush();
        i += slice;
        now = performance.now();
        slice = now - before > 1 ? 1 : Math.min(slice * 2, MAX_PUSH_SLICE);
      } while (i < s.length && now - started < FEED_BUDGET_MS);
    }
  };
  const interval = opts.intervalMs ?? 1000;
  const server = kc.getCurrentCluster()?.server;
  const url = opts.metricsUrl ?? (server ? `${server.replace(/\/$/, "")}/metrics` : false);
  const scraper = url
    ? new Scraper({
        url,
        intervalMs: interval,
        clock,
        onSamples: (s) => {
          behind++;
          feeding = feeding
            .then(() => feed(s))
            .catch((e: unknown) => note("scrape", e))
            .finally(() => behind--);
        },
        onError: (e) => note("scrape", e),
        turn,
      })
    : undefined;

  let synced = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  // Runs a previous process left unfinished are resumed or rolled back before the first tick,
  // so the agent never starts a second remediation for the same incident.
  let recovery: Promise<unknown> | undefined;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    // A tick is a dozen macrotasks (one per analyzer): it starts when no request is in flight.
    await foreground.turn();
    const started = performance.now();
    try {
      recovery ??= agent.recover().catch((e: unknown) => note("recover", e));
      await recovery;
      await agent.tick();
      metrics.inc("opsloop_ticks_total");
    } catch (e) {
      metrics.inc("opsloop_tick_errors_total");
      note("tick", e);
    } finally {
      const durationMs = performance.now() - started;
      metrics.observe("opsloop_tick_duration_seconds", {}, durationMs / 1000);
      ticking = false;
      events.emit("tick", { time: clock.now(), durationMs });
    }
  };

  try {
    await source.start();
    synced = true;
  } catch (e) {
    await source.stop();
    if (ownDb) db.close();
    throw e;
  }

  const ctx: ToolContext = {
    findings: () => agent.findings(),
    incidents,
    audit,
    approvals,
    executor,
    cluster,
    policy,
    runbooks,
    clock,
    usageHistory,
    kube: kc,
    prometheus,
    snapshot: () => source.snapshot(),
    readLog: source.readLog,
    anomalies: () => detection.pipeline.anomalies(),
    foreground,
  };

  const model = opts.investigator?.model ?? (opts.config && investigatorModel(opts.config));
  const investigator = model
    ? attachInvestigator({
        maxSteps: opts.config?.llmMaxSteps,
        maxOutputTokens: opts.config?.llmMaxOutputTokens,
        ...opts.investigator,
        model,
        ctx,
        incidents,
        agent,
        clock,
        writeTools: policy.investigator?.writeTools ?? [],
        onError: (e) => note("investigator", e),
      })
    : undefined;

  const runtime: Runtime = {
    source,
    agent,
    incidents,
    audit,
    approvals,
    executor,
    cluster,
    policy,
    runbooks,
    clock,
    db,
    ctx,
    metrics,
    series,
    detection,
    investigator,
    foreground,
    events,
    errors: () => [...errors, ...source.errors],
    ready: () => synced,
    start() {
      if (timer) return;
      scraper?.start();
      enforcer?.start(30_000);
      timer = setInterval(() => void tick(), interval);
      void tick();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      scraper?.stop();
      enforcer?.stop();
      await feeding;
      // Remediations still verifying get a short grace period; the process ends regardless.
      await Promise.race([
        Promise.all([agent.stop(), investigator?.idle()]),
        new Promise((r) => setTimeout(r, 5000).unref()),
      ]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await runtime.stop();
      synced = false;
      await detection.stop();
      await source.stop();
      if (ownDb) db.close();
    },
  };
  if (opts.autoStart ?? true) runtime.start();
  return runtime;
}

function registerGauges(metrics: RuntimeMetrics, agent: Agent, incidents: IncidentManager): void {
  const STATUSES: Incident["status"][] = [
    "open",
    "diagnosed",
    "remediating",
    "escalated",
    "resolved",
  ];
  metrics.gauge("opsloop_findings", "Current findings by kind.", () => {
    const fs = agent.findings();
    return ["problem", "prediction", "anomaly", "alert"].map((kind) => ({
      labels: { kind },
      v: fs.filter((f) => f.kind === kind).length,
    }));
  });
  metrics.gauge("opsloop_incidents", "Incidents by status.", () => {
    const counts = new Map<string, number>(STATUSES.map((s) => [s, 0]));
    for (const i of incidents.list()) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
    return [...counts].map(([status, v]) => ({ labels: { status }, v }));
  });
}
