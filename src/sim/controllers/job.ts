/**
 * Job controller (pkg/controller/job/job_controller.go): runs pods until `completions` succeed,
 * retries failures with exponential back-off (10 s doubling, capped at 6 min) up to
 * backoffLimit, and honours activeDeadlineSeconds and suspend.
 */
import { isoTime } from "../../core/clock.ts";
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import { podFromTemplate } from "./replicaset.ts";
import { isControlledBy, isPodReady, type Json, setCondition, writeStatus } from "./util.ts";

const COMPONENT = { component: "job-controller" };
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

export function isJobFinished(job: KubeObject): "Complete" | "Failed" | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === "Complete" || c.type === "Failed") && c.status === "True") return c.type;
  }
  return undefined;
}

/** The labels the API server adds to a Job's selector and template (generateSelector). */
export function defaultJobSelector(job: KubeObject): void {
  if (!job.spec || job.spec.manualSelector) return;
  const uid = job.metadata.uid as string;
  const name = job.metadata.name as string;
  const labels = {
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
    "controller-uid": uid,
    "job-name": name,
  };
  job.spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
  job.spec.template.metadata.labels = { ...job.spec.template.metadata.labels, ...labels };
}

export class JobController implements Controller {
  readonly name = "job-controller";
  private readonly ctx: SimContext;
  private readonly lastFailure = new Map<string, { failed: number; at: number }>();
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(now: number): void {
    for (const job of this.ctx.store.list("jobs.batch")) {
      if (job.metadata.deletionTimestamp || isJobFinished(job)) continue;
      this.sync(job, now);
    }
  }

  private sync(job: KubeObject, now: number): void {
    const { store, events } = this.ctx;
    const pods = store
      .list("pods", { namespace: job.metadata.namespace })
      .filter((p) => isControlledBy(p, job));
    const active = pods.filter(
      (p) => !["Succeeded", "Failed"].includes(p.status?.phase) && !p.metadata.deletionTimestamp,
    );
    const succeeded = pods.filter((p) => p.status?.phase === "Succeeded").length;
    const failed = pods.filter((p) => p.status?.phase === "Failed").length;
    const spec = job.spec;
    const status: Json = {
      ...job.status,
      startTime: job.status?.startTime ?? (spec.suspend ? undefined : isoTime(now)),
    };
    const uid = job.metadata.uid as string;
    const prev = this.lastFailure.get(uid);
    if (failed > (prev?.failed ?? 0)) this.lastFailure.set(uid, { failed, at: now });
    const started = Date.parse(status.startTime ?? "");
    let finish: [string, string, string, string] | undefined;
    // Without completions (a work queue) the Job is done once any pod succeeded and none runs.
    const done =
      spec.completions == null
        ? succeeded > 0 && active.length === 0
        : succeeded >= spec.completions;
    if (done) {
      finish = [
        "Complete",
        "CompletionsReached",
        "Reached expected number of succeeded pods",
        "Job completed",
      ];
    } else if (failed > (spec.backoffLimit ?? 6)) {
      finish = [
        "Failed",
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
        "",
      ];
    } else if (
      spec.activeDeadlineSeconds &&
      Number.isFinite(started) &&
      now - started >= spec.activeDeadlineSeconds * 1000
    ) {
      finish = ["Failed", "DeadlineExceeded", "Job was active longer than specified deadline", ""];
    }
    let activeCount = active.length;
    if (finish) {
      const [type, reason, message, event] = finish;
      for (const p of active) store.delete("pods", p.metadata.namespace, p.metadata.name as string);
      activeCount = 0;
      status.conditions = setCondition(
        status.conditions,
        { type, status: "True", reason, message, lastProbeTime: isoTime(now) },
        isoTime(now),
      );
      if (type === "Complete") status.completionTime = isoTime(now);
      events.record(
        job,
        type === "Complete" ? "Normal" : "Warning",
        type === "Complete" ? "Completed" : reason,
        event || message,
        COMPONENT,
      );
    } else if (!spec.suspend) {
      activeCount += this.createPods(job, active.length, succeeded, failed, now);
    }
    Object.assign(status, {
      active: activeCount,
      succeeded,
      failed,
      ready: active.filter(isPodReady).length,
      uncountedTerminatedPods: {},
    });
    if (!status.startTime) delete status.startTime;
    writeStatus(this.ctx, "jobs.batch", job, status);
  }

  private createPods(
    job: KubeObject,
    active: number,
    succeeded: number,
    failed: number,
    now: number,
  ): number {
    const spec = job.spec;
    const parallelism = spec.parallelism ?? 1;
    const want =
      spec.completions == null
        ? succeeded > 0
          ? 0
          : parallelism
        : Math.min(parallelism, spec.completions - succeeded);
    const diff = want - active;
    if (diff <= 0) return 0;
    const last = this.lastFailure.get(job.metadata.uid as string);
    if (last && failed > 0) {
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failed - 1));
      if (now < last.at + delay) return 0;
    }
    let created = 0;
    for (let i = 0; i < diff; i++) {
      const pod = this.ctx.store.create("pods", podFromTemplate(job, spec.template), {
        internal: true,
      });
      this.ctx.events.record(
        job,
        "Normal",
        "SuccessfulCreate",
        `Created pod: ${pod.metadata.name}`,
        COMPONENT,
      );
      created++;
    }
    return created;
  }
}
