/**
 * The detect stage assembled: sample stream, optional PromQL poller, push receivers (as a Hono
 * app to mount), the live pipeline and its persisted state. The agent starts it once and reads
 * `findings()` each cycle; the learned state is saved every `saveEvery` in the background (a few
 * detectors per event-loop turn) and at once by `stop()`.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { type Clock, parseDuration } from "../../core/clock.ts";
import type { Finding } from "../../core/types.ts";
import { PromClient } from "../../sources/prometheus/api-client.ts";
import { PollerConfigSchema, PromPoller } from "../../sources/prometheus/poller.ts";
import { ingestApp } from "../../sources/samples/ingest-http.ts";
import { SampleStream } from "../../sources/samples/sample-stream.ts";
import type { Db } from "../../store/sqlite.ts";
import { DetectPipeline } from "./pipeline.ts";
import { DetectStateStore } from "./state-store.ts";
import type { OwnerResolver } from "./subject.ts";

const duration = z.union([z.string(), z.number()]);

export const DetectionConfigSchema = z.strictObject({
  stream: z
    .strictObject({
      maxSeries: z.number().int().positive().optional(),
      pointsPerSeries: z.number().int().positive().optional(),
      maxQueue: z.number().int().positive().optional(),
    })
    .default({}),
  /** A Prometheus-compatible API to poll (PromQL), with its queries. */
  prometheus: PollerConfigSchema.extend({
    url: z.string().url(),
    headers: z.record(z.string(), z.string()).optional(),
  }).optional(),
  /** Ensemble score at or above which a point is anomalous. */
  anomalyThreshold: z.number().gt(0).lt(1).default(0.7),
  /** How often the learned state is written to the database (wall time). */
  saveEvery: duration.default("5m"),
});
export type DetectionConfig = z.infer<typeof DetectionConfigSchema>;

export interface DetectionDeps {
  config: DetectionConfig;
  clock: Clock;
  /** Where learned state is kept; without it nothing survives a restart. */
  db?: Db;
  resolve?: OwnerResolver;
  warn?: (message: string) => void;
  onError?: (e: unknown) => void;
}

export interface DetectionService {
  stream: SampleStream;
  pipeline: DetectPipeline;
  /** `POST /api/v1/write` and `POST /v1/metrics`, to mount on the HTTP server. */
  ingest: Hono;
  poller?: PromPoller;
  /** True when learned state was restored from the database. */
  restored: boolean;
  findings(): Finding[];
  /** Saves the learned state now, in one go (blocks the event loop while it runs). */
  save(): void;
  /** Saves it a few detectors per event-loop turn; a no-op while such a save is running. */
  saveInBackground(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDetection(deps: DetectionDeps): Promise<DetectionService> {
  const { config, clock } = deps;
  const stream = new SampleStream({ ...config.stream, warn: deps.warn });
  const pipeline = new DetectPipeline({
    anomalies: { threshold: config.anomalyThreshold },
    resolve: deps.resolve,
  });
  const store = deps.db ? new DetectStateStore(deps.db) : undefined;
  const restored = store?.load(pipeline) ?? false;
  const detach = pipeline.attach(stream);
  const save = () => store?.save(pipeline, clock.now());
  let saving: Promise<void> | undefined;
  const saveInBackground = () => {
    if (store && !saving) {
      saving = store
        .saveAsync(pipeline, clock.now())
        .then(
          () => undefined,
          (e) => deps.onError?.(e),
        )
        .finally(() => {
          saving = undefined;
        });
    }
    return saving ?? Promise.resolve();
  };
  // Series silent for an hour (deleted pods) give their slots back under the series limit.
  const housekeeping = () => {
    stream.evictIdle(pipeline.stats().latest - 60 * 60_000);
    void saveInBackground();
  };
  const timer = setInterval(housekeeping, parseDuration(config.saveEvery));
  timer.unref();
  let poller: PromPoller | undefined;
  if (config.prometheus) {
    const { url, headers, ...pollerConfig } = config.prometheus;
    const client = new PromClient({ url, headers });
    poller = new PromPoller({ client, stream, clock, config: pollerConfig, onError: deps.onError });
    await poller.start();
  }
  return {
    stream,
    pipeline,
    ingest: ingestApp(stream),
    poller,
    restored,
    findings: () => pipeline.findings(),
    save,
    saveInBackground,
    stop: async () => {
      poller?.stop();
      clearInterval(timer);
      await stream.idle();
      detach();
      // Takes over from a background save still running (which then stops writing).
      save();
    },
  };
}
