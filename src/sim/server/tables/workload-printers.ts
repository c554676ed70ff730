/** Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs, CronJobs, HPAs and PDBs (printers.go). */
import {
  age,
  col,
  containersAndImages,
  humanDuration,
  labelsString,
  type Printer,
  selectorString,
  since,
} from "./table-util.ts";

// biome-ignore lint/suspicious/noExplicitAny: status JSON is open-ended.
type Any = any;

const wideTemplate = [col("Containers", 1), col("Images", 1), col("Selector", 1)];

export const deploymentPrinter: Printer = {
  columns: [
    col("Name"),
    col("Ready"),
    col("Up-to-date", 0, "integer"),
    col("Available", 0, "integer"),
    col("Age"),
    ...wideTemplate,
  ],
  row(d, now) {
    const s: Any = d.status ?? {};
    const [c, i] = containersAndImages(d.spec?.template);
    return [
      d.metadata.name ?? "",
      `${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      s.updatedReplicas ?? 0,
      s.availableReplicas ?? 0,
      age(d, now),
      c,
      i,
      selectorString(d.spec?.selector),
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    col("Name"),
    col("Desired", 0, "integer"),
    col("Current", 0, "integer"),
    col("Ready", 0, "integer"),
    col("Age"),
    ...wideTemplate,
  ],
  row(rs, now) {
    const s: Any = rs.status ?? {};
    const [c, i] = containersAndImages(rs.spec?.template);
    return [
      rs.metadata.name ?? "",
      rs.spec?.replicas ?? 0,
      s.replicas ?? 0,
      s.readyReplicas ?? 0,
      age(rs, now),
      c,
      i,
      selectorString(rs.spec?.selector),
    ];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    col("Name"),
    col("Desired", 0, "integer"),
    col("Current", 0, "integer"),
    col("Ready", 0, "integer"),
    col("Up-to-date", 0, "integer"),
    col("Available", 0, "integer"),
    col("Node Selector"),
    col("Age"),
    ...wideTemplate,
  ],
  row(ds, now) {
    const s: Any = ds.status ?? {};
    const [c, i] = containersAndImages(ds.spec?.template);
    return [
      ds.metadata.name ?? "",
      s.desiredNumberScheduled ?? 0,
      s.currentNumberScheduled ?? 0,
      s.numberReady ?? 0,
      s.updatedNumberScheduled ?? 0,
      s.numberAvailable ?? 0,
      labelsString(ds.spec?.template?.spec?.nodeSelector) || "<none>",
      age(ds, now),
      c,
      i,
      selectorString(ds.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [col("Name"), col("Ready"), col("Age"), col("Containers", 1), col("Images", 1)],
  row(ss, now) {
    const [c, i] = containersAndImages(ss.spec?.template);
    return [
      ss.metadata.name ?? "",
      `${ss.status?.readyReplicas ?? 0}/${ss.spec?.replicas ?? 0}`,
      age(ss, now),
      c,
      i,
    ];
  },
};

function hasCondition(obj: Any, type: string): boolean {
  return (obj.status?.conditions ?? []).some((c: Any) => c.type === type && c.status === "True");
}

function jobStatus(job: Any): string {
  if (hasCondition(job, "Complete")) return "Complete";
  if (hasCondition(job, "Failed")) return "Failed";
  if (job.metadata.deletionTimestamp) return "Terminating";
  if (hasCondition(job, "Suspended")) return "Suspended";
  if (hasCondition(job, "FailureTarget")) return "FailureTarget";
  if (hasCondition(job, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

export const jobPrinter: Printer = {
  columns: [
    col("Name"),
    col("Status"),
    col("Completions"),
    col("Duration"),
    col("Age"),
    ...wideTemplate,
  ],
  row(job, now) {
    const spec: Any = job.spec ?? {};
    const s: Any = job.status ?? {};
    const succeeded = s.succeeded ?? 0;
    let completions: string;
    if (spec.completions != null) completions = `${succeeded}/${spec.completions}`;
    else if ((spec.parallelism ?? 0) > 1) completions = `${succeeded}/1 of ${spec.parallelism}`;
    else completions = `${succeeded}/1`;
    let duration = "";
    if (s.startTime) {
      const end = s.completionTime ? Date.parse(s.completionTime) : now;
      duration = humanDuration(end - Date.parse(s.startTime));
    }
    const [c, i] = containersAndImages(spec.template);
    return [
      job.metadata.name ?? "",
      jobStatus(job),
      completions,
      duration,
      age(job, now),
      c,
      i,
      selectorString(spec.selector),
    ];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    col("Name"),
    col("Schedule"),
    col("Timezone"),
    col("Suspend"),
    col("Active", 0, "integer"),
    col("Last Schedule"),
    col("Age"),
    ...wideTemplate,
  ],
  row(cj, now) {
    const spec: Any = cj.spec ?? {};
    const s: Any = cj.status ?? {};
    const [c, i] = containersAndImages(spec.jobTemplate?.spec?.template);
    return [
      cj.metadata.name ?? "",
      spec.schedule ?? "",
      spec.timeZone ?? "<none>",
      spec.suspend === undefined ? "<unset>" : spec.suspend ? "True" : "False",
      (s.active ?? []).length,
      s.lastScheduleTime ? since(s.lastScheduleTime, now) : "<none>",
      age(cj, now),
      c,
      i,
      selectorString(spec.jobTemplate?.spec?.selector),
    ];
  },
};

function hpaTargets(hpa: Any): string {
  const metrics: Any[] = hpa.spec?.metrics ?? [];
  if (metrics.length === 0) return "<none>";
  const current: Any[] = hpa.status?.currentMetrics ?? [];
  return metrics
    .map((m, idx) => {
      if (m.type !== "Resource") return "<unknown>/<unknown>";
      const t = m.resource?.target ?? {};
      const cur = current[idx]?.resource?.current ?? {};
      const name = m.resource?.name ?? "";
      if (t.averageUtilization !== undefined) {
        const c = cur.averageUtilization !== undefined ? `${cur.averageUtilization}%` : "<unknown>";
        return `${name}: ${c}/${t.averageUtilization}%`;
      }
      const want = t.averageValue ?? t.value ?? "<unknown>";
      return `${name}: ${cur.averageValue ?? cur.value ?? "<unknown>"}/${want}`;
    })
    .join(", ");
}

export const hpaPrinter: Printer = {
  columns: [
    col("Name"),
    col("Reference"),
    col("Targets"),
    col("MinPods", 0, "integer"),
    col("MaxPods", 0, "integer"),
    col("Replicas", 0, "integer"),
    col("Age"),
  ],
  row(hpa, now) {
    const ref: Any = hpa.spec?.scaleTargetRef ?? {};
    return [
      hpa.metadata.name ?? "",
      `${ref.kind ?? ""}/${ref.name ?? ""}`,
      hpaTargets(hpa),
      hpa.spec?.minReplicas ?? 1,
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(hpa, now),
    ];
  },
};

export const pdbPrinter: Printer = {
  columns: [
    col("Name"),
    col("Min Available"),
    col("Max Unavailable"),
    col("Allowed Disruptions", 0, "integer"),
    col("Age"),
  ],
  row(pdb, now) {
    const spec: Any = pdb.spec ?? {};
    return [
      pdb.metadata.name ?? "",
      spec.minAvailable !== undefined ? String(spec.minAvailable) : "N/A",
      spec.maxUnavailable !== undefined ? String(spec.maxUnavailable) : "N/A",
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb, now),
    ];
  },
};
