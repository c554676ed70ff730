/**
 * The rules of `opsloop scan`, one entry each: id, default severity, a one-line description and
 * help (the SARIF reportingDescriptor, §3.49, and docs/scan.md). Security rules follow the Pod
 * Security Standards "restricted" profile (kubernetes.io/docs/concepts/security/pod-security-standards).
 */
import { OpsloopError } from "../core/errors.ts";
import type { Severity } from "../core/types.ts";

export interface ScanRule {
  id: string;
  severity: Severity;
  short: string;
  help: string;
}

const RULES_LIST: ScanRule[] = [
  {
    id: "privileged",
    severity: "critical",
    short: "Container runs privileged",
    help: "A privileged container has every capability and the host's devices: a breakout is one step away. Set securityContext.privileged: false.",
  },
  {
    id: "run-as-root",
    severity: "warning",
    short: "Container runs as root or may",
    help: "runAsUser 0, or runAsNonRoot not true (the image's USER then decides). Set securityContext.runAsNonRoot: true and a non-zero runAsUser.",
  },
  {
    id: "privilege-escalation",
    severity: "warning",
    short: "allowPrivilegeEscalation is not false",
    help: "Unless set to false, a setuid binary can gain more privileges than its parent (no_new_privs unset). Set securityContext.allowPrivilegeEscalation: false.",
  },
  {
    id: "added-capabilities",
    severity: "warning",
    short: "Container adds Linux capabilities",
    help: "Only NET_BIND_SERVICE may be added under the restricted profile; drop ALL and add back only what is needed.",
  },
  {
    id: "host-namespace",
    severity: "warning",
    short: "Pod shares a host namespace",
    help: "hostNetwork, hostPID or hostIPC lets the pod see and reach the node's processes or network. Remove them unless this is a node agent.",
  },
  {
    id: "host-path",
    severity: "warning",
    short: "Pod mounts a hostPath volume",
    help: "A hostPath volume exposes the node's filesystem; use a PersistentVolumeClaim, emptyDir, ConfigMap or Secret instead.",
  },
  {
    id: "writable-root-filesystem",
    severity: "info",
    short: "Root filesystem is writable",
    help: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app must write.",
  },
  {
    id: "no-resource-requests",
    severity: "warning",
    short: "Container requests no CPU or memory",
    help: "Without requests the scheduler packs pods blindly and the pod is first to be evicted (BestEffort). Set resources.requests.cpu and .memory from observed usage.",
  },
  {
    id: "no-memory-limit",
    severity: "warning",
    short: "Container has no memory limit",
    help: "Without a memory limit a leak takes memory from every pod on the node until the kernel kills something. Set resources.limits.memory.",
  },
  {
    id: "missing-probes",
    severity: "warning",
    short: "Served container has no readiness or liveness probe",
    help: "A Service sends traffic to a pod as soon as it runs unless a readinessProbe says it is ready; a livenessProbe restarts a hung process.",
  },
  {
    id: "image-latest",
    severity: "warning",
    short: "Image uses :latest or no tag",
    help: "A moving tag makes rollouts unreproducible and rollbacks pull the same broken image. Pin a version tag or a digest.",
  },
  {
    id: "single-replica-no-pdb",
    severity: "info",
    short: "Single replica without a PodDisruptionBudget",
    help: "One replica goes down on every node drain. Run two or more replicas with a PodDisruptionBudget of maxUnavailable: 1.",
  },
  {
    id: "pdb-blocks-eviction",
    severity: "warning",
    short: "PodDisruptionBudget forbids every eviction",
    help: "maxUnavailable 0, minAvailable 100%, or minAvailable at least the replicas: node drains and upgrades hang. Allow one pod to be evicted.",
  },
  {
    id: "hpa-target-without-requests",
    severity: "warning",
    short: "HPA scales on utilization of a resource the target does not request",
    help: "Utilization is usage divided by request: without a request the HPA cannot compute it and never scales. Set the request on every container.",
  },
  {
    id: "service-selects-nothing",
    severity: "warning",
    short: "Service selector matches no workload in the files",
    help: "A Service whose selector matches no pod template gets no endpoints. Fix the selector or the pod template labels.",
  },
  {
    id: "ingress-service-missing",
    severity: "info",
    short: "Ingress backend Service is not in the files",
    help: "The Service may exist in the cluster; if not, the Ingress answers 503. Add the Service or fix the backend name.",
  },
  {
    id: "config-ref-missing",
    severity: "info",
    short: "Referenced ConfigMap or Secret is not in the files",
    help: "The object may exist in the cluster; if not, the pod fails with CreateContainerConfigError or FailedMount. Add it or mark the reference optional.",
  },
];

export const RULES: ReadonlyMap<string, ScanRule> = new Map(RULES_LIST.map((r) => [r.id, r]));

export function rule(id: string): ScanRule {
  const r = RULES.get(id);
  if (!r) throw new OpsloopError("internal", `unknown scan rule ${id}`);
  return r;
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
