/**
 * Missing configuration as the pod sees it: CreateContainerConfigError (env, envFrom) and
 * FailedMount (configMap/secret volumes), cross-checked against the snapshot so every missing
 * object or key is named, with a similarly named one when it exists.
 */
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { Evidence } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { eventIndex, type Problem } from "./common.ts";
import {
  describeMissing,
  type MissingRef,
  missingRefs,
  missingVolumeRefs,
  parseConfigMessage,
} from "./config-refs.ts";

function missingProblem(
  missing: MissingRef[],
  ns: string,
  where: string,
  reason: string,
  evidence: Evidence[],
): Problem {
  const texts = missing.map(
    (m) => `${describeMissing(m, ns)}, referenced by ${m.usedBy ? `${m.usedBy} of ` : ""}${where}`,
  );
  const first = missing[0] as MissingRef;
  const kindArg = first.kind === "Secret" ? "secret generic" : "configmap";
  return {
    reason,
    causeKey: missing.map((m) => `${m.kind}/${m.name}/${m.key ?? ""}`).join(","),
    rootCause: texts.join("; "),
    severity: "critical",
    confidence: 0.95,
    evidence,
    fix: {
      description: first.similar
        ? `create ${first.kind} ${first.name}${first.key ? ` key ${first.key}` : ""} or point the reference at "${first.similar}"`
        : `create ${first.kind} ${first.name}${first.key ? ` with key ${first.key}` : ""} in namespace ${ns}`,
      command:
        first.key === undefined
          ? `kubectl create ${kindArg} ${first.name} -n ${ns} --from-literal=...`
          : undefined,
    },
  };
}

export function configProblem(snap: ClusterSnapshot, pod: V1Pod, cs: V1ContainerStatus): Problem {
  const ns = pod.metadata?.namespace ?? "";
  const message = cs.state?.waiting?.message ?? "";
  let missing: MissingRef[] = missingRefs(snap, pod, cs.name);
  const parsed = parseConfigMessage(message);
  if (!missing.length && parsed) missing = [{ ...parsed, usedBy: "" }];
  const evidence: Evidence[] = [
    {
      type: "status",
      text: `container ${cs.name} waiting: CreateContainerConfigError: ${message}`,
    },
  ];
  if (missing.length)
    return missingProblem(
      missing,
      ns,
      `container ${cs.name}`,
      "CreateContainerConfigError",
      evidence,
    );
  return {
    reason: "CreateContainerConfigError",
    causeKey: message,
    rootCause: `container ${cs.name} cannot be configured: ${message}`,
    severity: "critical",
    confidence: 0.5,
    evidence,
  };
}

/** Volumes that cannot be set up keep every container in ContainerCreating (FailedMount events). */
export function mountProblem(snap: ClusterSnapshot, pod: V1Pod): Problem | undefined {
  const ns = pod.metadata?.namespace ?? "";
  const failed = eventIndex(snap).of("Pod", pod.metadata, "FailedMount")[0];
  if (!failed) return undefined;
  const evidence: Evidence[] = [{ type: "event", text: `Warning FailedMount: ${failed.message}` }];
  const missing = missingVolumeRefs(snap, pod);
  if (missing.length) return missingProblem(missing, ns, "the pod", "FailedMount", evidence);
  // PVC mounts: the claim's own chain (Pending, provisioning) is the PVC analyzer's to explain.
  return {
    reason: "FailedMount",
    causeKey: failed.message ?? "",
    rootCause: `the pod's volumes cannot be mounted: ${failed.message}`,
    severity: "critical",
    confidence: 0.7,
    evidence,
  };
}
