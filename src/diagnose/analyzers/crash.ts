/**
 * Why a container keeps exiting: OOMKilled (the limit) or the process's own exit, explained by the
 * decisive line of the previous instance's log (`kubectl logs --previous`) and the exit code
 * (128+N is death by signal N). A missing env var that a ConfigMap or Secret of the namespace
 * provides under the same key gets a ready patch.
 */
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { Evidence } from "../../core/types.ts";
import { parseQuantity } from "../../sim/quantity.ts";
import type { ClusterSnapshot, LogReader } from "../../sources/kubernetes/snapshot.ts";
import type { Problem } from "./common.ts";
import { decisiveLog, exitMeaning, type LogVerdict } from "./log-patterns.ts";

function containerPatch(name: string, fields: Record<string, unknown>) {
  return { spec: { template: { spec: { containers: [{ name, ...fields }] } } } };
}

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20 / 64) * 64}Mi`;
}

function oomProblem(pod: V1Pod, cs: V1ContainerStatus, evidence: Evidence[]): Problem {
  const limit = pod.spec?.containers.find((c) => c.name === cs.name)?.resources?.limits?.memory;
  const next = limit ? mebibytes(parseQuantity(limit) * 1.5) : undefined;
  return {
    reason: "OOMKilled",
    causeKey: "OOMKilled",
    rootCause: `container ${cs.name} is killed for exceeding its memory limit${limit ? ` of ${limit}` : ""} (OOMKilled, exit 137)`,
    severity: "critical",
    confidence: 0.95,
    evidence,
    fix: {
      description: `raise the memory limit of container ${cs.name}${next ? ` to at least ${next}` : ""} (and its request), or fix the memory growth`,
      ...(next
        ? { patch: containerPatch(cs.name, { resources: { limits: { memory: next } } }) }
        : {}),
    },
  };
}

/** A ConfigMap or Secret key in the namespace named like the missing variable. */
function envSource(snap: ClusterSnapshot, ns: string, name: string) {
  const cm = snap.configMaps.find((c) => c.namespace === ns && c.keys.includes(name));
  if (cm) return { configMapKeyRef: { name: cm.name, key: name }, label: `ConfigMap ${cm.name}` };
  const s = snap.secrets.find((c) => c.namespace === ns && c.keys.includes(name));
  if (s) return { secretKeyRef: { name: s.name, key: name }, label: `Secret ${s.name}` };
  return undefined;
}

function logFix(
  snap: ClusterSnapshot,
  pod: V1Pod,
  cs: V1ContainerStatus,
  v: LogVerdict | undefined,
  previous: boolean,
): Problem["fix"] {
  const ns = pod.metadata?.namespace ?? "";
  const logs = `kubectl logs ${pod.metadata?.name} -c ${cs.name} -n ${ns}${previous ? " --previous" : ""}`;
  if (v?.cause === "missing-env" && v.detail) {
    const src = envSource(snap, ns, v.detail);
    if (!src)
      return { description: `set ${v.detail} in the env of container ${cs.name}`, command: logs };
    const { label, ...valueFrom } = src;
    return {
      description: `set ${v.detail} on container ${cs.name} from ${label}, which has that key`,
      patch: containerPatch(cs.name, { env: [{ name: v.detail, valueFrom }] }),
    };
  }
  if (v?.cause === "connection-refused")
    return {
      description: `start (or fix the address of) ${v.detail ?? "the dependency"} the container connects to at start-up`,
      command: logs,
    };
  if (v?.cause === "bad-flag")
    return {
      description: `remove or fix the flag ${v.detail ?? ""} in the container's command/args`,
      command: logs,
    };
  return { description: "fix the error the container logs before exiting", command: logs };
}

const CAUSE_TEXT: Partial<Record<LogVerdict["cause"], (d?: string) => string>> = {
  "missing-env": (d) => `environment variable ${d} is not set`,
  "connection-refused": (d) => `${d ?? "a dependency"} refuses connections`,
  dns: (d) => `host ${d ?? "of a dependency"} does not resolve`,
  "auth-failed": () => "authentication to a dependency fails",
  "permission-denied": (d) => `permission is denied${d ? ` on ${d}` : ""}`,
  "bad-flag": (d) => `it is started with an unknown flag${d ? ` ${d}` : ""}`,
  "missing-file": (d) => `file ${d ?? ""} does not exist`,
  "out-of-memory": () => "it runs out of memory",
  panic: () => "it panics",
};

/**
 * `previous`: a restarting container's cause is in the log of the instance before the current
 * one (`--previous`); a terminated container that is not restarted (restartPolicy Never) has
 * its own log.
 */
export async function crashProblem(
  snap: ClusterSnapshot,
  pod: V1Pod,
  cs: V1ContainerStatus,
  readLog?: LogReader,
  mode: { previous: boolean; reason: string } = { previous: true, reason: "CrashLoopBackOff" },
): Promise<Problem> {
  const term = cs.lastState?.terminated ?? cs.state?.terminated;
  const evidence: Evidence[] = [
    {
      type: "status",
      text: `container ${cs.name}: ${cs.state?.waiting?.reason ?? "terminated"}, ${cs.restartCount} restarts, last exit ${term?.exitCode ?? "?"} (${term?.reason ?? "unknown"})`,
    },
  ];
  if (term?.reason === "OOMKilled") return oomProblem(pod, cs, evidence);
  const log = readLog
    ? await readLog(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", cs.name, {
        previous: mode.previous,
      }).catch(() => undefined)
    : undefined;
  const verdict = log ? decisiveLog(log) : undefined;
  if (verdict) evidence.push({ type: "log", text: verdict.line });
  const signal = exitMeaning(term?.exitCode);
  const exit = `exits with code ${term?.exitCode ?? "?"}${term?.reason ? ` (${term.reason}${signal ? `, ${signal}` : ""})` : ""}`;
  const because = verdict && CAUSE_TEXT[verdict.cause]?.(verdict.detail);
  return {
    reason: mode.reason,
    // Digits (timestamps, ids, ports) vary between restarts; the cause does not.
    causeKey: verdict
      ? `${verdict.cause}/${(verdict.detail ?? verdict.line).replace(/\d+/g, "#")}`
      : `exit ${term?.exitCode}`,
    rootCause: `container ${cs.name} ${exit}${because ? ` because ${because}` : ""}${verdict ? `: ${verdict.line}` : ""}`,
    severity: "critical",
    confidence: because ? 0.9 : verdict ? 0.8 : 0.6,
    evidence,
    fix: logFix(snap, pod, cs, verdict, mode.previous),
  };
}
