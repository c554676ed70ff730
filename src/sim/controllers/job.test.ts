import { describe, expect, it } from "vitest";
import { POD_BEHAVIOUR_ANNOTATION } from "../behaviour.ts";
import { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";
import { advance, eventsFor, node } from "./test-support.ts";

/** A Job whose container exits with `exitCode` after `seconds` (the kubelet model's crash behaviour). */
function job(
  name: string,
  spec: Record<string, unknown> = {},
  exitCode = 0,
  seconds = 5,
): KubeObject {
  const crash = JSON.stringify({ crash: { afterSeconds: seconds, exitCode } });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: {
      template: {
        metadata: { annotations: { [POD_BEHAVIOUR_ANNOTATION]: crash } },
        spec: { containers: [{ name: "work", image: "busybox:1.36" }] },
      },
      ...spec,
    },
  };
}

const cond = (j: KubeObject, type: string) =>
  j.status?.conditions?.find((x: { type: string }) => x.type === type);

describe("job controller", () => {
  it("labels pods with the job name and completes after the required successes", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), job("migrate", { completions: 2, parallelism: 1 })]);
    c.step(1000);
    const [pod] = c.store.list("pods");
    expect(pod?.metadata.labels).toMatchObject({
      "job-name": "migrate",
      "batch.kubernetes.io/job-name": "migrate",
    });
    expect(pod?.spec.restartPolicy).toBe("Never");
    advance(c, 60);
    const j = c.store.mustGet("jobs.batch", "default", "migrate");
    expect(j.status).toMatchObject({ succeeded: 2, active: 0, failed: 0 });
    expect(cond(j, "Complete")).toMatchObject({ status: "True" });
    expect(j.status.completionTime).toBeDefined();
    expect(eventsFor(c, "migrate")).toContain("Completed: Job completed");
  });

  it("fails with BackoffLimitExceeded after backoffLimit retries with back-off", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), job("flaky", { backoffLimit: 2 }, 1, 1)]);
    advance(c, 20);
    // Back-off: the second pod waits 10 s after the first failure, the third 20 s.
    expect(c.store.list("pods").length).toBeLessThanOrEqual(2);
    advance(c, 100);
    const created = c.store.list("pods").length;
    const j = c.store.mustGet("jobs.batch", "default", "flaky");
    expect(created).toBe(3);
    expect(j.status.failed).toBe(3);
    expect(cond(j, "Failed")).toMatchObject({
      status: "True",
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    });
    expect(eventsFor(c, "flaky")).toContain(
      "BackoffLimitExceeded: Job has reached the specified backoff limit",
    );
  });

  it("completes a work-queue job (parallelism without completions) when its pods are done", () => {
    const c = new SimCluster();
    c.apply([node("node-1"), job("queue", { parallelism: 2 })]);
    c.step(1000);
    expect(c.store.list("pods")).toHaveLength(2);
    advance(c, 60);
    const j = c.store.mustGet("jobs.batch", "default", "queue");
    expect(j.spec.completions).toBeUndefined();
    expect(j.status).toMatchObject({ succeeded: 2, active: 0 });
    expect(cond(j, "Complete")).toMatchObject({ status: "True" });
  });
});

describe("cronjob controller", () => {
  it("creates a job per schedule named by the scheduled minute and keeps the history limit", () => {
    const c = new SimCluster();
    c.apply([
      node("node-1"),
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "report", namespace: "default" },
        spec: {
          schedule: "*/5 * * * *",
          successfulJobsHistoryLimit: 1,
          jobTemplate: { spec: job("x").spec },
        },
      },
    ]);
    c.step(5 * 60 * 1000);
    const jobs = c.store.list("jobs.batch");
    expect(jobs).toHaveLength(1);
    const minute = Math.floor(c.clock.now() / 60000);
    expect(jobs[0]?.metadata.name).toBe(`report-${minute}`);
    expect(c.store.mustGet("cronjobs.batch", "default", "report").status.lastScheduleTime).toBe(
      new Date(minute * 60000).toISOString().replace(".000", ""),
    );
    c.step(10 * 60 * 1000);
    const names = c.store.list("jobs.batch").map((j) => j.metadata.name);
    // One successful job kept plus the one that just started.
    expect(names.length).toBeLessThanOrEqual(2);
    expect(
      eventsFor(c, "report").some((e) => e.startsWith("SuccessfulDelete: Deleted job report-")),
    ).toBe(true);
  });

  it("skips a run while the previous job is active under concurrencyPolicy Forbid", () => {
    const c = new SimCluster();
    c.apply([
      node("node-1"),
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "slow", namespace: "default" },
        spec: {
          schedule: "* * * * *",
          concurrencyPolicy: "Forbid",
          jobTemplate: { spec: job("x", {}, 0, 150).spec },
        },
      },
    ]);
    c.step(2 * 60 * 1000 + 5000);
    expect(c.store.list("jobs.batch")).toHaveLength(1);
    expect(eventsFor(c, "slow").some((e) => e.startsWith("JobAlreadyActive:"))).toBe(true);
  });
});
