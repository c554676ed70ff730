/**
 * Why an image cannot be pulled. The waiting state of ImagePullBackOff only says
 * `Back-off pulling image "x"`; the cause is in the last ErrImagePull message or the kubelet's
 * `Failed to pull image "x": <err>` event, as containerd words it (remotes/docker resolver):
 * `...: not found` (the tag or repository does not exist), `401 Unauthorized` /
 * `pull access denied` / `403 Forbidden` (credentials), `429 Too Many Requests` /
 * `toomanyrequests` (the registry's rate limit), DNS or dial errors (the registry is unreachable).
 */
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { splitImage } from "../../core/image-ref.ts";
import type { Evidence } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { eventEvidence, eventIndex } from "./common.ts";

export type PullCause =
  | "not-found"
  | "unauthorized"
  | "rate-limited"
  | "unreachable"
  | "invalid-name"
  | "never-pull"
  | "unknown";

const PATTERNS: [PullCause, RegExp][] = [
  ["rate-limited", /429 Too Many Requests|toomanyrequests|rate limit/i],
  [
    "unauthorized",
    /401 Unauthorized|403 Forbidden|pull access denied|unauthorized|authentication required|denied: /i,
  ],
  ["not-found", /: not found\b|manifest unknown|not found: manifest|NotFound desc/i],
  ["unreachable", /no such host|i\/o timeout|connection refused|dial tcp|TLS handshake timeout/i],
  ["invalid-name", /couldn't parse image reference|invalid reference format/i],
];

export function classifyPullError(message: string): PullCause {
  return PATTERNS.find(([, re]) => re.test(message))?.[0] ?? "unknown";
}

export interface PullDiagnosis {
  cause: PullCause;
  rootCause: string;
  evidence: Evidence[];
  fix: string;
  /** Another tag of the same repository that has run in the cluster: a known-good candidate. */
  runningTag?: string;
}

/**
 * Tags of a repository known to exist: ones containers of the cluster run now, else the ones
 * older ReplicaSets of the same namespace used (a pull that once succeeded).
 */
function knownTags(snap: ClusterSnapshot, pod: V1Pod, repository: string): string[] {
  const running = new Set<string>();
  for (const p of snap.pods) {
    for (const cs of p.status?.containerStatuses ?? []) {
      const img = splitImage(cs.image);
      if (cs.state?.running && img.repository === repository) running.add(img.tag);
    }
  }
  if (running.size) return [...running].sort();
  const history = snap.replicaSets
    .filter(
      (rs) =>
        rs.metadata?.namespace === pod.metadata?.namespace &&
        (rs.status?.readyReplicas ?? 0) + (rs.status?.availableReplicas ?? 0) > 0,
    )
    .flatMap((rs) => rs.spec?.template?.spec?.containers ?? [])
    .map((c) => splitImage(c.image ?? ""))
    .filter((img) => img.repository === repository)
    .map((img) => img.tag);
  return [...new Set(history)].sort();
}

function pullMessage(snap: ClusterSnapshot, pod: V1Pod, cs: V1ContainerStatus) {
  const waiting = cs.state?.waiting;
  if (waiting?.reason !== "ImagePullBackOff" && waiting?.message) return { text: waiting.message };
  const failed = eventIndex(snap)
    .of("Pod", pod.metadata, "Failed")
    .find((e) => e.message?.startsWith(`Failed to pull image "${cs.image}"`));
  return { text: failed?.message ?? waiting?.message ?? "", event: failed };
}

const WHY: Record<PullCause, string> = {
  "not-found": "does not exist in the registry",
  unauthorized: "is private and the pod has no working imagePullSecret for it",
  "rate-limited": "cannot be pulled because the registry is rate-limiting pulls",
  unreachable: "cannot be pulled because the registry is unreachable from the node",
  "invalid-name": "is not a valid image reference",
  "never-pull": "is not on the node and imagePullPolicy is Never",
  unknown: "cannot be pulled",
};

const FIX: Record<PullCause, string> = {
  "not-found": "set the image to a tag that exists (or push the missing tag)",
  unauthorized:
    "create a docker-registry Secret with credentials for the registry and list it in imagePullSecrets (or on the ServiceAccount)",
  "rate-limited":
    "authenticate pulls (imagePullSecrets) or mirror the image to a registry without the limit",
  unreachable: "check DNS/egress from the nodes to the registry, or use a reachable mirror",
  "invalid-name": "fix the image reference",
  "never-pull": "pre-load the image on the nodes or set imagePullPolicy to IfNotPresent",
  unknown: "read the kubelet's pull error in the pod's events",
};

/** imagePullSecrets the pod names that do not exist (the kubelet skips them silently). */
function missingPullSecrets(snap: ClusterSnapshot, pod: V1Pod): string[] {
  if (snap.unsynced?.includes("Secret")) return [];
  const ns = pod.metadata?.namespace;
  return (pod.spec?.imagePullSecrets ?? [])
    .map((r) => r.name ?? "")
    .filter((n) => n && !snap.secrets.some((s) => s.namespace === ns && s.name === n));
}

export function diagnosePull(
  snap: ClusterSnapshot,
  pod: V1Pod,
  cs: V1ContainerStatus,
): PullDiagnosis {
  const msg = pullMessage(snap, pod, cs);
  const reason = cs.state?.waiting?.reason;
  const cause: PullCause =
    reason === "ErrImageNeverPull"
      ? "never-pull"
      : reason === "InvalidImageName"
        ? "invalid-name"
        : classifyPullError(msg.text);
  const { repository, tag } = splitImage(cs.image);
  const others =
    cause === "not-found" ? knownTags(snap, pod, repository).filter((t) => t !== tag) : [];
  const runningTag = others[others.length - 1];
  const missing = cause === "unauthorized" ? missingPullSecrets(snap, pod) : [];
  const hint = runningTag
    ? ` (tag ${runningTag} of ${repository} has run in the cluster)`
    : missing.length
      ? ` (its imagePullSecret ${missing.join(", ")} does not exist in namespace ${pod.metadata?.namespace})`
      : "";
  const evidence: Evidence[] = [
    {
      type: "status",
      text: `container ${cs.name} waiting: ${reason}: ${cs.state?.waiting?.message ?? ""}`,
    },
  ];
  if (msg.event) evidence.push(eventEvidence(msg.event));
  else if (msg.text && msg.text !== cs.state?.waiting?.message)
    evidence.push({ type: "status", text: msg.text });
  return {
    cause,
    rootCause: `image ${cs.image} of container ${cs.name} ${WHY[cause]}${hint}${cause === "unknown" && msg.text ? `: ${msg.text}` : ""}`,
    evidence,
    fix: runningTag
      ? `set the image to ${repository}:${runningTag} or push tag ${tag}`
      : missing.length
        ? `create the docker-registry Secret ${missing[0]} in namespace ${pod.metadata?.namespace} (kubectl create secret docker-registry ${missing[0]} --docker-server=${repository.split("/")[0]} ...)`
        : FIX[cause],
    runningTag,
  };
}
