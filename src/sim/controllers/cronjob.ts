/**
 * CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go): creates the Job for the
 * most recent missed schedule (named `<cronjob>-<scheduled time in minutes>`), honours
 * concurrencyPolicy, startingDeadlineSeconds and suspend, and prunes finished Jobs beyond the
 * history limits.
 */
import { CronExpressionParser } from "cron-parser";
import { isoTime } from "../../core/clock.ts";
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import { isJobFinished } from "./job.ts";
import { isControlledBy, ownerRefTo, writeStatus } from "./util.ts";

const COMPONENT = { component: "cronjob-controller" };
const SCHEDULED = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/** The latest schedule time in (after, now], or undefined. */
export function lastScheduleBetween(
  schedule: string,
  tz: string | undefined,
  after: number,
  now: number,
): number | undefined {
  const expr = CronExpressionParser.parse(schedule, {
    currentDate: new Date(now + 1),
    tz: tz ?? "UTC",
  });
  const t = expr.prev().getTime();
  return t > after ? t : undefined;
}

export class CronJobController implements Controller {
  readonly name = "cronjob-controller";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(now: number): void {
    for (const cj of this.ctx.store.list("cronjobs.batch")) {
      if (cj.metadata.deletionTimestamp) continue;
      try {
        this.sync(cj, now);
      } catch (e) {
        const msg = `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${(e as Error).message}`;
        this.ctx.events.record(cj, "Warning", "UnparseableSchedule", msg, COMPONENT);
      }
    }
  }

  private sync(cj: KubeObject, now: number): void {
    const { store, events } = this.ctx;
    const ns = cj.metadata.namespace as string;
    const jobs = store.list("jobs.batch", { namespace: ns }).filter((j) => isControlledBy(j, cj));
    const status = { ...cj.status };
    for (const j of jobs) {
      const done = isJobFinished(j);
      const wasActive = (cj.status?.active ?? []).some(
        (r: { uid: string }) => r.uid === j.metadata.uid,
      );
      if (done && wasActive)
        events.record(
          cj,
          "Normal",
          "SawCompletedJob",
          `Saw completed job: ${j.metadata.name}, condition: ${done}`,
          COMPONENT,
        );
      if (
        done === "Complete" &&
        j.status?.completionTime &&
        (!status.lastSuccessfulTime || j.status.completionTime > status.lastSuccessfulTime)
      )
        status.lastSuccessfulTime = j.status.completionTime;
    }
    let active = jobs.filter((j) => !isJobFinished(j));
    this.prune(cj, jobs);
    const after = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? "");
    const scheduled = cj.spec.suspend
      ? undefined
      : lastScheduleBetween(cj.spec.schedule, cj.spec.timeZone, after, now);
    const deadline = cj.spec.startingDeadlineSeconds;
    const tooLate =
      scheduled !== undefined && deadline != null && scheduled + deadline * 1000 < now;
    if (scheduled !== undefined && !tooLate) {
      if (cj.spec.concurrencyPolicy === "Forbid" && active.length) {
        events.record(
          cj,
          "Normal",
          "JobAlreadyActive",
          "Not starting job because prior execution is running and concurrency policy is Forbid",
          COMPONENT,
        );
      } else {
        if (cj.spec.concurrencyPolicy === "Replace") {
          for (const j of active) {
            store.delete("jobs.batch", ns, j.metadata.name as string, {
              propagationPolicy: "Background",
            });
            events.record(
              cj,
              "Normal",
              "SuccessfulDelete",
              `Deleted job ${j.metadata.name}`,
              COMPONENT,
            );
          }
          active = [];
        }
        const job = this.createJob(cj, scheduled);
        if (job) active.push(job);
        status.lastScheduleTime = isoTime(scheduled);
      }
    }
    const refs = active.map((j) => ({
      kind: "Job",
      namespace: ns,
      name: j.metadata.name,
      uid: j.metadata.uid,
      apiVersion: "batch/v1",
      resourceVersion: j.metadata.resourceVersion,
    }));
    if (refs.length) status.active = refs;
    else delete status.active;
    writeStatus(this.ctx, "cronjobs.batch", cj, status);
  }

  private createJob(cj: KubeObject, scheduled: number): KubeObject | undefined {
    const tpl = cj.spec.jobTemplate ?? {};
    const name = `${cj.metadata.name}-${Math.floor(scheduled / 60000)}`;
    if (this.ctx.store.get("jobs.batch", cj.metadata.namespace, name)) return undefined;
    const job = this.ctx.store.create(
      "jobs.batch",
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
          name,
          namespace: cj.metadata.namespace,
          labels: { ...tpl.metadata?.labels },
          annotations: { ...tpl.metadata?.annotations, [SCHEDULED]: isoTime(scheduled) },
          ownerReferences: [ownerRefTo(cj)],
        },
        spec: structuredClone(tpl.spec ?? {}),
      },
      { internal: true },
    );
    this.ctx.events.record(cj, "Normal", "SuccessfulCreate", `Created job ${name}`, COMPONENT);
    return job;
  }

  private prune(cj: KubeObject, jobs: KubeObject[]): void {
    const limits = {
      Complete: cj.spec.successfulJobsHistoryLimit ?? 3,
      Failed: cj.spec.failedJobsHistoryLimit ?? 1,
    };
    for (const kind of ["Complete", "Failed"] as const) {
      const done = jobs
        .filter((j) => isJobFinished(j) === kind && !j.metadata.deletionTimestamp)
        .sort((a, b) =>
          String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)),
        );
      for (const j of done.slice(0, Math.max(0, done.length - limits[kind]))) {
        this.ctx.store.delete("jobs.batch", j.metadata.namespace, j.metadata.name as string, {
          propagationPolicy: "Background",
        });
        this.ctx.events.record(
          cj,
          "Normal",
          "SuccessfulDelete",
          `Deleted job ${j.metadata.name}`,
          COMPONENT,
        );
      }
    }
  }
}
