/**
 * API defaulting (pkg/apis/{apps,batch,core}/v1/defaults.go) that clients rely on, as admission hooks:
 * Deployment strategy and limits, pod template defaults, Service clusterIP, Job/CronJob fields,
 * PVC phase. Runs on every create and update, like the API server's defaulting.
 */
import type { ObjectStore } from "../store/object-store.ts";
import type { KubeObject } from "../store/types.ts";
import { defaultJobSelector } from "./job.ts";
import { defaultStorageClass } from "./pv-binder.ts";
import type { Json } from "./util.ts";

function defaultContainer(c: Json): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  if (!c.imagePullPolicy) {
    const image = String(c.image ?? "");
    const tag = /:([^:/@]+)$/.exec(image)?.[1];
    // A digest pins the image, so only a missing or :latest tag means Always.
    c.imagePullPolicy =
      !image.includes("@") && (!tag || tag === "latest") ? "Always" : "IfNotPresent";
  }
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
}

export function defaultPodSpec(spec: Json): void {
  if (!spec) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultContainer(c);
}

function defaultTemplate(o: KubeObject): void {
  o.spec.template ??= {};
  o.spec.template.metadata ??= {};
  defaultPodSpec(o.spec.template.spec);
}

/** A workload's selector defaults from its template labels when omitted (batch/v1 Job does this). */
function defaultDeployment(o: KubeObject): void {
  if (!o.spec) return;
  o.spec.replicas ??= 1;
  o.spec.revisionHistoryLimit ??= 10;
  o.spec.progressDeadlineSeconds ??= 600;
  o.spec.strategy ??= { type: "RollingUpdate" };
  o.spec.strategy.type ??= "RollingUpdate";
  if (o.spec.strategy.type === "RollingUpdate") {
    o.spec.strategy.rollingUpdate ??= {};
    o.spec.strategy.rollingUpdate.maxSurge ??= "25%";
    o.spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
  }
  defaultTemplate(o);
}

function defaultStatefulSet(o: KubeObject): void {
  if (!o.spec) return;
  o.spec.replicas ??= 1;
  o.spec.podManagementPolicy ??= "OrderedReady";
  o.spec.revisionHistoryLimit ??= 10;
  o.spec.updateStrategy ??= { type: "RollingUpdate", rollingUpdate: { partition: 0 } };
  o.spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: "Retain", whenScaled: "Retain" };
  defaultTemplate(o);
}

function defaultDaemonSet(o: KubeObject): void {
  if (!o.spec) return;
  o.spec.revisionHistoryLimit ??= 10;
  o.spec.updateStrategy ??= {
    type: "RollingUpdate",
    rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
  };
  defaultTemplate(o);
}

function defaultJobSpec(spec: Json): void {
  if (!spec) return;
  // Both unset means one pod to completion; parallelism alone is a work queue (completions nil).
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.template ??= {};
  spec.template.metadata ??= {};
  if (spec.template.spec) spec.template.spec.restartPolicy ??= "Never";
  defaultPodSpec(spec.template.spec);
}

function defaultCronJob(o: KubeObject): void {
  if (!o.spec) return;
  o.spec.concurrencyPolicy ??= "Allow";
  o.spec.suspend ??= false;
  o.spec.successfulJobsHistoryLimit ??= 3;
  o.spec.failedJobsHistoryLimit ??= 1;
  o.spec.jobTemplate ??= {};
  defaultJobSpec(o.spec.jobTemplate.spec);
}

/** The default --service-node-port-range is 30000-32767; the lowest free port is used. */
function allocateNodePort(store: ObjectStore): number {
  const used = new Set<number>();
  for (const s of store.list("services"))
    for (const p of s.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
  let port = 30000;
  while (used.has(port) && port < 32767) port++;
  return port;
}

/** Service ClusterIPs come from 10.96.0.0/12 like kubeadm's default service CIDR. */
function serviceDefaulter(store: ObjectStore) {
  let next = 10;
  return (o: KubeObject, old: KubeObject | undefined) => {
    if (!o.spec) o.spec = {};
    o.spec.type ??= "ClusterIP";
    o.spec.sessionAffinity ??= "None";
    o.spec.internalTrafficPolicy ??= "Cluster";
    o.spec.ipFamilies ??= ["IPv4"];
    o.spec.ipFamilyPolicy ??= "SingleStack";
    const needsNodePort = o.spec.type === "NodePort" || o.spec.type === "LoadBalancer";
    for (const [i, p] of (o.spec.ports ?? []).entries()) {
      p.protocol ??= "TCP";
      p.targetPort ??= p.port;
      const before = old?.spec?.ports?.[i]?.nodePort;
      if (needsNodePort && !p.nodePort) p.nodePort = before ?? allocateNodePort(store);
    }
    if (o.spec.type === "LoadBalancer") {
      o.spec.externalTrafficPolicy ??= "Cluster";
      o.spec.allocateLoadBalancerNodePorts ??= true;
    }
    if (old?.spec?.clusterIP && o.spec.clusterIP === undefined)
      o.spec.clusterIP = old.spec.clusterIP;
    if (o.spec.type === "ExternalName") return;
    if (o.spec.clusterIP === undefined || o.spec.clusterIP === "") {
      const used = new Set(store.list("services").map((s) => s.spec?.clusterIP));
      let ip = "";
      do {
        ip = `10.96.${Math.floor(next / 250)}.${(next % 250) + 1}`;
        next++;
      } while (used.has(ip));
      o.spec.clusterIP = ip;
    }
    o.spec.clusterIPs ??= o.spec.clusterIP === "None" ? ["None"] : [o.spec.clusterIP];
  };
}

export function registerDefaults(store: ObjectStore): void {
  store.addAdmissionHook("deployments.apps", defaultDeployment);
  store.addAdmissionHook("replicasets.apps", (o) => {
    if (!o.spec) return;
    o.spec.replicas ??= 1;
    defaultTemplate(o);
  });
  store.addAdmissionHook("statefulsets.apps", defaultStatefulSet);
  store.addAdmissionHook("daemonsets.apps", defaultDaemonSet);
  store.addAdmissionHook("jobs.batch", (o, _old, op) => {
    defaultJobSpec(o.spec);
    if (op === "CREATE") defaultJobSelector(o);
  });
  store.addAdmissionHook("cronjobs.batch", defaultCronJob);
  store.addAdmissionHook("pods", (o) => {
    defaultPodSpec(o.spec);
    if (o.spec) o.spec.serviceAccountName ??= "default";
    o.status ??= { phase: "Pending" };
  });
  store.addAdmissionHook("services", serviceDefaulter(store));
  store.addAdmissionHook("persistentvolumeclaims", (o, _old, op) => {
    o.status ??= { phase: "Pending" };
    if (op === "CREATE") defaultStorageClass(store, o);
    if (o.spec) o.spec.volumeMode ??= "Filesystem";
  });
  store.addAdmissionHook("namespaces", (o) => {
    o.spec ??= { finalizers: ["kubernetes"] };
    o.status ??= { phase: "Active" };
    o.metadata.labels = {
      ...o.metadata.labels,
      "kubernetes.io/metadata.name": o.metadata.name as string,
    };
  });
}
