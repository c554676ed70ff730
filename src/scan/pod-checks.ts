/**
 * Offline checks of one pod spec: security (the Pod Security Standards "restricted" profile) and
 * resource hygiene. Pure over a V1PodSpec, so the same checks serve `opsloop scan` (manifests)
 * and can serve diagnose's security analyzer (live templates). Each issue carries a pod-spec-level
 * strategic-merge patch: containers and volumes merge by name, so a patch touches only the named one.
 */
import type { V1Container, V1PodSpec } from "@kubernetes/client-node";
import { splitImage } from "../core/image-ref.ts";
import type { Severity } from "../core/types.ts";

export interface PodIssue {
  rule: string;
  /** Overrides the rule's default severity (e.g. SYS_ADMIN is worse than NET_RAW). */
  severity?: Severity;
  container?: string;
  message: string;
  /** Strategic-merge patch of the pod spec. */
  patch?: object;
  /**
   * The spec explicitly asks for the risky setting (privileged: true, runAsUser: 0, a hostPath),
   * rather than leaving out a hardening default. Diagnose reports only these on live workloads,
   * where an unset field is the image's decision and cannot be seen from the API.
   */
  explicit?: boolean;
  fix: string;
}

/** Capabilities the restricted profile lets a container add back. */
const ALLOWED_CAPS = new Set(["NET_BIND_SERVICE"]);
const HOST_CRITICAL_CAPS = new Set(["ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE"]);

const containerPatch = (c: V1Container, fields: object, init = false) => ({
  [init ? "initContainers" : "containers"]: [{ name: c.name, ...fields }],
});

export function podSpecIssues(spec: V1PodSpec): PodIssue[] {
  const out = hostIssues(spec);
  for (const c of spec.initContainers ?? []) out.push(...containerSecurity(spec, c, true));
  for (const c of spec.containers) {
    out.push(...containerSecurity(spec, c, false));
    out.push(...containerResources(c));
    const image = imageIssue(c);
    if (image) out.push(image);
  }
  return out;
}

function hostIssues(spec: V1PodSpec): PodIssue[] {
  const out: PodIssue[] = [];
  const flags = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((f) => spec[f] === true);
  if (flags.length)
    out.push({
      rule: "host-namespace",
      explicit: true,
      message: `pod uses ${flags.join(", ")}`,
      patch: Object.fromEntries(flags.map((f) => [f, false])),
      fix: `remove ${flags.join(", ")} unless this is a node agent`,
    });
  for (const v of spec.volumes ?? [])
    if (v.hostPath)
      out.push({
        rule: "host-path",
        explicit: true,
        message: `volume ${v.name} mounts hostPath ${v.hostPath.path}`,
        patch: { volumes: [{ name: v.name, $patch: "delete" }] },
        fix: `replace volume ${v.name} with an emptyDir, a PersistentVolumeClaim, a ConfigMap or a Secret (and drop its volumeMounts)`,
      });
  return out;
}

function containerSecurity(spec: V1PodSpec, c: V1Container, init: boolean): PodIssue[] {
  const out: PodIssue[] = [];
  const sc = c.securityContext ?? {};
  const pod = spec.securityContext ?? {};
  const patch = (fields: object) => containerPatch(c, { securityContext: fields }, init);
  const who = `${init ? "init container" : "container"} ${c.name}`;
  if (sc.privileged === true)
    out.push({
      rule: "privileged",
      explicit: true,
      container: c.name,
      message: `${who} is privileged`,
      patch: patch({ privileged: false }),
      fix: "set privileged: false; add only the capability the app needs",
    });
  const user = sc.runAsUser ?? pod.runAsUser;
  if (user === 0 || (sc.runAsNonRoot ?? pod.runAsNonRoot) !== true)
    out.push({
      rule: "run-as-root",
      explicit: user === 0,
      container: c.name,
      message:
        user === 0
          ? `${who} runs as root (runAsUser 0)`
          : `${who} does not set runAsNonRoot: the image's USER decides, often root`,
      patch: patch(user === 0 ? { runAsNonRoot: true, runAsUser: 10001 } : { runAsNonRoot: true }),
      fix: "run as a non-root user (runAsNonRoot: true; a numeric runAsUser if the image names none)",
    });
  if (sc.allowPrivilegeEscalation !== false && sc.privileged !== true)
    out.push({
      rule: "privilege-escalation",
      explicit: sc.allowPrivilegeEscalation === true,
      container: c.name,
      message: `${who} does not set allowPrivilegeEscalation: false`,
      patch: patch({ allowPrivilegeEscalation: false }),
      fix: "set allowPrivilegeEscalation: false",
    });
  const added = (sc.capabilities?.add ?? []).filter((x) => !ALLOWED_CAPS.has(x));
  if (added.length)
    out.push({
      rule: "added-capabilities",
      explicit: true,
      ...(added.some((x) => HOST_CRITICAL_CAPS.has(x)) ? { severity: "critical" as const } : {}),
      container: c.name,
      message: `${who} adds capabilities ${added.join(", ")}`,
      patch: patch({
        capabilities: {
          drop: ["ALL"],
          add: (sc.capabilities?.add ?? []).filter((x) => ALLOWED_CAPS.has(x)),
        },
      }),
      fix: "drop ALL capabilities and add back only NET_BIND_SERVICE if the app binds a port below 1024",
    });
  if (sc.readOnlyRootFilesystem !== true)
    out.push({
      rule: "writable-root-filesystem",
      container: c.name,
      message: `${who} has a writable root filesystem`,
      patch: patch({ readOnlyRootFilesystem: true }),
      fix: "set readOnlyRootFilesystem: true and mount an emptyDir where the app writes (e.g. /tmp)",
    });
  return out;
}

function containerResources(c: V1Container): PodIssue[] {
  const out: PodIssue[] = [];
  const requests = c.resources?.requests ?? {};
  const lacking = (["cpu", "memory"] as const).filter((r) => !requests[r]);
  if (lacking.length)
    out.push({
      rule: "no-resource-requests",
      container: c.name,
      message: `container ${c.name} requests no ${lacking.join(" or ")}`,
      patch: containerPatch(c, {
        resources: {
          requests: Object.fromEntries(lacking.map((r) => [r, r === "cpu" ? "100m" : "128Mi"])),
        },
      }),
      fix: `set resources.requests.${lacking.join(" and .")} (the patch's values are placeholders: size them from observed usage)`,
    });
  if (!c.resources?.limits?.memory)
    out.push({
      rule: "no-memory-limit",
      container: c.name,
      message: `container ${c.name} has no memory limit`,
      patch: containerPatch(c, {
        resources: { limits: { memory: String(requests.memory ?? "256Mi") } },
      }),
      fix: "set resources.limits.memory (at least the observed peak; equal to the request for Guaranteed QoS)",
    });
  return out;
}

function imageIssue(c: V1Container): PodIssue | undefined {
  if (!c.image || c.image.includes("@")) return undefined;
  const { repository, tag } = splitImage(c.image);
  if (tag !== "latest") return undefined;
  return {
    rule: "image-latest",
    container: c.name,
    message: `container ${c.name} runs image ${c.image}${c.image.endsWith(":latest") ? "" : " (no tag means :latest)"}`,
    patch: containerPatch(c, { image: `${repository}:<version>` }),
    fix: "pin a version tag or a digest (repository@sha256:...)",
  };
}

/** A container that a Service sends traffic to should say when it is ready and when it is stuck. */
export function probeIssue(c: V1Container, service: string): PodIssue | undefined {
  const missing = [
    c.readinessProbe ? "" : "readinessProbe",
    c.livenessProbe ? "" : "livenessProbe",
  ].filter(Boolean);
  if (!missing.length) return undefined;
  const port = c.ports?.[0]?.containerPort ?? 8080;
  const probe = { httpGet: { path: "/healthz", port }, periodSeconds: 10 };
  return {
    rule: "missing-probes",
    container: c.name,
    message: `container ${c.name} is behind Service ${service} but has no ${missing.join(" or ")}`,
    patch: containerPatch(c, Object.fromEntries(missing.map((m) => [m, probe]))),
    fix: `add ${missing.join(" and ")} (the patch assumes an HTTP health endpoint on port ${port}; use the app's own)`,
  };
}
