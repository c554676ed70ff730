/** Pods, nodes and events, as printPod / printNode / printEvent in printers.go (v1.32). */
import type { KubeObject } from "../../store/types.ts";
import { age, col, orNone, type Printer, since } from "./table-util.ts";

// biome-ignore lint/suspicious/noExplicitAny: status JSON is open-ended.
type Any = any;

function isRestartableInit(c: Any): boolean {
  return c?.restartPolicy === "Always";
}

function later(a: string, b: string | undefined): string {
  return b && (!a || Date.parse(b) > Date.parse(a)) ? b : a;
}

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: string;
}

/** The STATUS/READY/RESTARTS logic of printPod. */
export function summarizePod(pod: KubeObject): PodSummary {
  const spec: Any = pod.spec ?? {};
  const status: Any = pod.status ?? {};
  const initSpecs: Any[] = spec.initContainers ?? [];
  let total = (spec.containers ?? []).length + initSpecs.filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = "";
  let sidecarLastRestart = "";
  let reason: string = status.reason || status.phase || "";
  for (const c of status.conditions ?? []) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }
  let initializing = false;
  const initStatuses: Any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const cspec = initSpecs.find((s) => s.name === c.name);
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
    if (isRestartableInit(cspec)) {
      sidecarRestarts += c.restartCount ?? 0;
      sidecarLastRestart = later(sidecarLastRestart, c.lastState?.terminated?.finishedAt);
    }
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (isRestartableInit(cspec) && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason)
        reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      else reason = `Init:${term.reason}`;
    } else if (wait?.reason && wait.reason !== "PodInitializing") reason = `Init:${wait.reason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }
  const initializedTrue = (status.conditions ?? []).some(
    (c: Any) => c.type === "Initialized" && c.status === "True",
  );
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let hasRunning = false;
    const cs: Any[] = status.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
      const wait = c.state?.waiting;
      const term = c.state?.terminated;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      const readyCond = (status.conditions ?? []).some(
        (c: Any) => c.type === "Ready" && c.status === "True",
      );
      reason = readyCond ? "Running" : "NotReady";
    }
  }
  const terminal = status.phase === "Succeeded" || status.phase === "Failed";
  if (pod.metadata.deletionTimestamp && status.reason === "NodeLost") reason = "Unknown";
  else if (pod.metadata.deletionTimestamp && !terminal) reason = "Terminating";
  total = Math.max(total, 0);
  return { ready, total, reason, restarts, lastRestart };
}

export const podPrinter: Printer = {
  columns: [
    col("Name"),
    col("Ready"),
    col("Status"),
    col("Restarts"),
    col("Age"),
    col("IP", 1),
    col("Node", 1),
    col("Nominated Node", 1),
    col("Readiness Gates", 1),
  ],
  row(pod, now) {
    const s = summarizePod(pod);
    const restarts =
      s.restarts !== 0 && s.lastRestart
        ? `${s.restarts} (${since(s.lastRestart, now)} ago)`
        : String(s.restarts);
    const status: Any = pod.status ?? {};
    const gates: Any[] = pod.spec?.readinessGates ?? [];
    const trueGates = gates.filter((g) =>
      (status.conditions ?? []).some((c: Any) => c.type === g.conditionType && c.status === "True"),
    ).length;
    return [
      pod.metadata.name ?? "",
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      age(pod, now),
      orNone(status.podIPs?.[0]?.ip ?? status.podIP),
      orNone(pod.spec?.nodeName),
      orNone(status.nominatedNodeName),
      gates.length ? `${trueGates}/${gates.length}` : "<none>",
    ];
  },
};

function nodeRoles(labels: Record<string, string> | undefined): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/"))
      roles.add(k.slice("node-role.kubernetes.io/".length));
    else if (k === "kubernetes.io/role") roles.add(v);
  }
  return (
    [...roles]
      .filter((r) => r)
      .sort()
      .join(",") || "<none>"
  );
}

function nodeAddress(node: KubeObject, type: string): string {
  const a = (node.status?.addresses ?? []).find((x: Any) => x.type === type);
  return orNone(a?.address);
}

export const nodePrinter: Printer = {
  columns: [
    col("Name"),
    col("Status"),
    col("Roles"),
    col("Age"),
    col("Version"),
    col("Internal-IP", 1),
    col("External-IP", 1),
    col("OS-Image", 1),
    col("Kernel-Version", 1),
    col("Container-Runtime", 1),
  ],
  row(node, now) {
    const ready = (node.status?.conditions ?? []).find((c: Any) => c.type === "Ready");
    const status: string[] = [];
    if (ready) status.push(ready.status === "True" ? "Ready" : "NotReady");
    else status.push("Unknown");
    if (node.spec?.unschedulable) status.push("SchedulingDisabled");
    const info: Any = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name ?? "",
      status.join(","),
      nodeRoles(node.metadata.labels),
      age(node, now),
      info.kubeletVersion ?? "",
      nodeAddress(node, "InternalIP"),
      nodeAddress(node, "ExternalIP"),
      info.osImage || "<unknown>",
      info.kernelVersion || "<unknown>",
      info.containerRuntimeVersion || "<unknown>",
    ];
  },
};

export const eventPrinter: Printer = {
  columns: [
    col("Last Seen"),
    col("Type"),
    col("Reason"),
    col("Object"),
    col("Subobject", 1),
    col("Source", 1),
    col("Message"),
    col("First Seen", 1),
    col("Count", 1, "integer"),
    col("Name", 1),
  ],
  row(ev, now) {
    const e: Any = ev;
    const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    let count: number = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) count = 1;
    const io = e.involvedObject ?? {};
    const kind = String(io.kind ?? "").toLowerCase();
    const target = io.name ? `${kind}/${io.name}` : kind;
    const component = e.source?.component || e.reportingComponent || "";
    const instance = e.source?.host || e.reportingInstance || "";
    return [
      last,
      e.type ?? "",
      e.reason ?? "",
      target,
      io.fieldPath ?? "",
      instance ? `${component}, ${instance}` : component,
      String(e.message ?? "").trim(),
      first,
      count,
      ev.metadata.name ?? "",
    ];
  },
};
