/**
 * Failed Jobs (condition Failed: BackoffLimitExceeded, DeadlineExceeded) explained by their last
 * failed pod (exit code and decisive log line), and CronJobs that fail, cannot be scheduled
 * (a schedule the controller cannot parse: UnparseableSchedule) or are suspended. A CronJob's
 * failing runs are one finding about the CronJob, not one per Job; a failure that a later
 * successful run has superseded is history.
 */
import type { V1CronJob, V1Job, V1Pod } from "@kubernetes/client-node";
import type { Evidence, Finding, ObjectRef } from "../../core/types.ts";
import type { ClusterSnapshot, LogReader } from "../../sources/kubernetes/snapshot.ts";
import { eventEvidence, eventIndex, makeFinding, podRef, refOf, timeOf } from "./common.ts";
import { decisiveLog, exitMeaning } from "./log-patterns.ts";

export const JOBS = "diagnose/jobs";

function failedCondition(j: V1Job) {
  return j.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True");
}

function owner(j: V1Job): { kind: string; name: string } | undefined {
  return j.metadata?.ownerReferences?.find((o) => o.kind === "CronJob");
}

function lastFailedPod(snap: ClusterSnapshot, j: V1Job): V1Pod | undefined {
  return snap.pods
    .filter(
      (p) =>
        p.metadata?.namespace === j.metadata?.namespace &&
        p.status?.phase === "Failed" &&
        p.metadata?.ownerReferences?.some(
          (o) => o.kind === "Job" && (o.uid === j.metadata?.uid || o.name === j.metadata?.name),
        ),
    )
    .sort(
      (a, b) =>
        (timeOf(b.metadata?.creationTimestamp) ?? 0) - (timeOf(a.metadata?.creationTimestamp) ?? 0),
    )[0];
}

async function podCause(
  pod: V1Pod | undefined,
  readLog?: LogReader,
): Promise<{ text: string; evidence: Evidence[] }> {
  const cs = pod?.status?.containerStatuses?.find(
    (c) => (c.state?.terminated?.exitCode ?? 0) !== 0,
  );
  const t = cs?.state?.terminated;
  if (!pod || !cs || !t) return { text: "", evidence: [] };
  const log = readLog
    ? await readLog(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", cs.name, {
        previous: false,
      }).catch(() => undefined)
    : undefined;
  const v = log ? decisiveLog(log) : undefined;
  const signal = exitMeaning(t.exitCode);
  const text = `container ${cs.name} of pod ${pod.metadata?.name} exited with code ${t.exitCode} (${t.reason ?? "Error"}${signal ? `, ${signal}` : ""})${v ? `: ${v.line}` : ""}`;
  const evidence: Evidence[] = [{ type: "status", text }];
  if (v) evidence.push({ type: "log", text: v.line });
  return { text, evidence };
}

/** Failed Jobs whose CronJob has not run successfully since. */
function current(snap: ClusterSnapshot, j: V1Job): boolean {
  const cj = owner(j);
  if (!cj) return true;
  const failedAt = timeOf(failedCondition(j)?.lastTransitionTime) ?? 0;
  return !snap.jobs.some(
    (o) =>
      o !== j &&
      owner(o)?.name === cj.name &&
      o.metadata?.namespace === j.metadata?.namespace &&
      (timeOf(o.status?.completionTime) ?? 0) > failedAt,
  );
}

async function jobFindings(
  snap: ClusterSnapshot,
  now: number,
  readLog?: LogReader,
): Promise<Finding[]> {
  const groups = new Map<string, { subject: ObjectRef; jobs: V1Job[] }>();
  for (const j of snap.jobs) {
    if (!failedCondition(j) || !current(snap, j)) continue;
    const cj = owner(j);
    const subject = cj
      ? { kind: "CronJob", namespace: j.metadata?.namespace, name: cj.name }
      : refOf("Job", j.metadata);
    const key = `${subject.kind}/${subject.namespace}/${subject.name}`;
    const g = groups.get(key) ?? { subject, jobs: [] };
    g.jobs.push(j);
    groups.set(key, g);
  }
  const out: Finding[] = [];
  for (const [key, g] of groups) {
    const latest = g.jobs.sort(
      (a, b) =>
        (timeOf(b.metadata?.creationTimestamp) ?? 0) - (timeOf(a.metadata?.creationTimestamp) ?? 0),
    )[0] as V1Job;
    const cond = failedCondition(latest);
    const pod = lastFailedPod(snap, latest);
    const cause = await podCause(pod, readLog);
    const why =
      cond?.reason === "DeadlineExceeded"
        ? `it ran longer than activeDeadlineSeconds (${latest.spec?.activeDeadlineSeconds}s)`
        : `its pods failed ${latest.status?.failed ?? 0} times (backoffLimit ${latest.spec?.backoffLimit ?? 6})`;
    const runs = g.jobs.length > 1 ? ` (${g.jobs.length} failed runs)` : "";
    out.push(
      makeFinding(
        {
          source: JOBS,
          key,
          subject: g.subject,
          affected: [...g.jobs.map((j) => refOf("Job", j.metadata)), ...(pod ? [podRef(pod)] : [])],
          reason: cond?.reason ?? "JobFailed",
          rootCause: `Job ${latest.metadata?.namespace}/${latest.metadata?.name} failed: ${why}${cause.text ? `; ${cause.text}` : ""}${runs}`,
          evidence: [
            { type: "status", text: `Failed=True ${cond?.reason ?? ""}: ${cond?.message ?? ""}` },
            ...cause.evidence,
          ],
          fix: {
            description:
              cond?.reason === "DeadlineExceeded"
                ? "make the job faster or raise activeDeadlineSeconds"
                : "fix the error the job's container reports, then re-run the job",
            ...(pod
              ? { command: `kubectl logs ${pod.metadata?.name} -n ${pod.metadata?.namespace}` }
              : {}),
          },
          confidence: cause.evidence.length > 1 ? 0.9 : 0.75,
          severity: "critical",
        },
        now,
      ),
    );
  }
  return out;
}

function cronFinding(snap: ClusterSnapshot, cj: V1CronJob, now: number): Finding | undefined {
  const subject = refOf("CronJob", cj.metadata);
  const name = `${subject.namespace}/${subject.name}`;
  const bad = eventIndex(snap).of("CronJob", cj.metadata, "UnparseableSchedule")[0];
  const fields = cj.spec?.schedule?.trim().split(/\s+/) ?? [];
  const shapeOk = fields.length === 5 || (fields.length === 1 && fields[0]?.startsWith("@"));
  if (bad || !shapeOk) {
    return makeFinding(
      {
        source: JOBS,
        key: "schedule",
        subject,
        affected: [subject],
        reason: "UnparseableSchedule",
        rootCause: `CronJob ${name} never runs: its schedule ${JSON.stringify(cj.spec?.schedule)} is not a valid cron expression`,
        evidence: bad
          ? [eventEvidence(bad)]
          : [{ type: "object", text: `spec.schedule: ${cj.spec?.schedule}` }],
        fix: {
          description:
            'use five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * *", or a macro like @daily',
        },
        confidence: 0.95,
        severity: "critical",
      },
      now,
    );
  }
  if ((cj.spec?.startingDeadlineSeconds ?? 0) < 0) {
    return makeFinding(
      {
        source: JOBS,
        key: "deadline",
        subject,
        affected: [subject],
        reason: "InvalidStartingDeadline",
        rootCause: `CronJob ${name} has a negative startingDeadlineSeconds, so every run is too late to start`,
        evidence: [
          {
            type: "object",
            text: `spec.startingDeadlineSeconds: ${cj.spec?.startingDeadlineSeconds}`,
          },
        ],
        fix: {
          description: "remove startingDeadlineSeconds or make it positive",
          patch: { spec: { startingDeadlineSeconds: null } },
        },
        confidence: 0.9,
        severity: "warning",
      },
      now,
    );
  }
  if (cj.spec?.suspend) {
    return makeFinding(
      {
        source: JOBS,
        key: "suspended",
        subject,
        affected: [subject],
        reason: "CronJobSuspended",
        rootCause: `CronJob ${name} is suspended: no runs are scheduled (last run ${cj.status?.lastScheduleTime ? new Date(timeOf(cj.status.lastScheduleTime) ?? 0).toISOString() : "never"})`,
        evidence: [{ type: "object", text: "spec.suspend: true" }],
        fix: {
          description: "resume it if the suspension is not intended",
          patch: { spec: { suspend: false } },
        },
        confidence: 0.6,
        severity: "info",
      },
      now,
    );
  }
  return undefined;
}

export async function analyzeJobs(
  snap: ClusterSnapshot,
  now: number,
  readLog?: LogReader,
): Promise<Finding[]> {
  const crons = snap.cronJobs
    .map((c) => cronFinding(snap, c, now))
    .filter((f): f is Finding => !!f);
  return [...(await jobFindings(snap, now, readLog)), ...crons];
}
