/**
 * The Kubernetes source: client-node informers (list + watch) for the kinds the analyzers read,
 * exposing a synced in-memory snapshot and change notifications. An informer that reports an
 * error is restarted with exponential backoff, as the Go reflector does.
 */
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  type Informer,
  KubeConfig,
  type KubernetesObject,
  makeInformer,
  NetworkingV1Api,
  type ObjectCache,
  PolicyV1Api,
  StorageV1Api,
} from "@kubernetes/client-node";
import { OpsloopError } from "../../core/errors.ts";
import { RedactedWatch } from "./redacted-watch.ts";
import type { ClusterSnapshot, LogReader } from "./snapshot.ts";

/** Loads a kubeconfig file, or the in-cluster service account / default config when absent. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (e) {
    throw new OpsloopError(
      "invalid_input",
      `cannot load kubeconfig ${path ?? "(default)"}: ${(e as Error).message}`,
    );
  }
  return allowPlainHttp(kc);
}

/**
 * client-node 2.x refuses an http:// server unless skipTLSVerify is set ("HTTP protocol is not
 * allowed when skipTLSVerify is not set or false"), while kubectl just speaks plain HTTP. There is
 * no TLS to verify on such a server, so mark those clusters as kubectl effectively treats them.
 */
function allowPlainHttp(kc: KubeConfig): KubeConfig {
  if (!kc.clusters.some((c) => c.server.startsWith("http://") && !c.skipTLSVerify)) return kc;
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) =>
      c.server.startsWith("http://") ? { ...c, skipTLSVerify: true } : c,
    ),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}

type Cached<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

interface Slot {
  name: string;
  informer: Cached<KubernetesObject>;
  /** The informer's list as of its last change; rebuilt only after an add/update/delete. */
  items?: never[];
  /** Whether a list has ever succeeded: client-node's start() resolves even when it failed. */
  listed: boolean;
  /** The first error seen since the last successful list. */
  lastError?: unknown;
}

export class KubeSource {
  readonly kc: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly slots: Slot[] = [];
  private readonly byName = new Map<string, Slot>();
  /** The last snapshot, valid until any informer or config watch reports a change. */
  private cached: ClusterSnapshot | undefined;
  private readonly configMaps: RedactedWatch;
  private readonly secrets: RedactedWatch;
  private readonly listeners = new Set<() => void>();
  private readonly backoff = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Errors seen (most recent last, bounded), for health reporting. */
  readonly errors: string[] = [];

  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    const c = this.core;
    const a = this.apps;
    this.add("pods", "/api/v1/pods", () => c.listPodForAllNamespaces());
    this.add("events", "/api/v1/events", () => c.listEventForAllNamespaces());
    this.add("nodes", "/api/v1/nodes", () => c.listNode());
    this.add("namespaces", "/api/v1/namespaces", () => c.listNamespace());
    this.add("deployments", "/apis/apps/v1/deployments", () => a.listDeploymentForAllNamespaces());
    this.add("replicasets", "/apis/apps/v1/replicasets", () => a.listReplicaSetForAllNamespaces());
    this.addWorkloadKinds(kc);
    const common = {
      kc,
      onChange: () => {
        this.cached = undefined;
        this.notify();
      },
      onError: (e: unknown) => this.recordError("configrefs", e),
    };
    this.configMaps = new RedactedWatch({
      ...common,
      path: "/api/v1/configmaps",
      list: () => c.listConfigMapForAllNamespaces(),
    });
    this.secrets = new RedactedWatch({
      ...common,
      path: "/api/v1/secrets",
      list: () => c.listSecretForAllNamespaces(),
    });
  }

  /** Everything else the analyzers read: one list + watch per kind, as kubectl get would. */
  private addWorkloadKinds(kc: KubeConfig): void {
    const a = this.apps;
    const c = this.core;
    const batch = kc.makeApiClient(BatchV1Api);
    const net = kc.makeApiClient(NetworkingV1Api);
    const hpa = kc.makeApiClient(AutoscalingV2Api);
    const policy = kc.makeApiClient(PolicyV1Api);
    const storage = kc.makeApiClient(StorageV1Api);
    const adm = kc.makeApiClient(AdmissionregistrationV1Api);
    this.add("statefulsets", "/apis/apps/v1/statefulsets", () =>
      a.listStatefulSetForAllNamespaces(),
    );
    this.add("daemonsets", "/apis/apps/v1/daemonsets", () => a.listDaemonSetForAllNamespaces());
    this.add("jobs", "/apis/batch/v1/jobs", () => batch.listJobForAllNamespaces());
    this.add("cronjobs", "/apis/batch/v1/cronjobs", () => batch.listCronJobForAllNamespaces());
    this.add("services", "/api/v1/services", () => c.listServiceForAllNamespaces());
    this.add("endpoints", "/api/v1/endpoints", () => c.listEndpointsForAllNamespaces());
    this.add("ingresses", "/apis/networking.k8s.io/v1/ingresses", () =>
      net.listIngressForAllNamespaces(),
    );
    this.add("ingressclasses", "/apis/networking.k8s.io/v1/ingressclasses", () =>
      net.listIngressClass(),
    );
    this.add("networkpolicies", "/apis/networking.k8s.io/v1/networkpolicies", () =>
      net.listNetworkPolicyForAllNamespaces(),
    );
    this.add("pvcs", "/api/v1/persistentvolumeclaims", () =>
      c.listPersistentVolumeClaimForAllNamespaces(),
    );
    this.add("pvs", "/api/v1/persistentvolumes", () => c.listPersistentVolume());
    this.add("storageclasses", "/apis/storage.k8s.io/v1/storageclasses", () =>
      storage.listStorageClass(),
    );
    this.add("hpas", "/apis/autoscaling/v2/horizontalpodautoscalers", () =>
      hpa.listHorizontalPodAutoscalerForAllNamespaces(),
    );
    this.add("pdbs", "/apis/policy/v1/poddisruptionbudgets", () =>
      policy.listPodDisruptionBudgetForAllNamespaces(),
    );
    this.add(
      "validatingwebhooks",
      "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
      () => adm.listValidatingWebhookConfiguration(),
    );
    this.add(
      "mutatingwebhooks",
      "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
      () => adm.listMutatingWebhookConfiguration(),
    );
  }

  private add(name: string, path: string, list: () => Promise<unknown>): void {
    const slot = { name, listed: false } as Slot;
    const listOnce = async () => {
      const answer = await list();
      slot.listed = true;
      slot.lastError = undefined;
      return answer;
    };
    const informer = makeInformer(this.kc, path, listOnce as never) as Cached<KubernetesObject>;
    slot.informer = informer;
    // client-node's cache fires these after every change to its map (watch events and relists
    // alike) and never changes the map silently, so they are enough to invalidate our copies.
    for (const verb of ["add", "update", "delete"] as const)
      informer.on(verb, () => {
        slot.items = undefined;
        this.cached = undefined;
        this.notify();
      });
    informer.on("error", (err) => {
      if (!slot.listed) slot.lastError ??= err;
      this.restartLater(name, informer, err);
    });
    informer.on("connect", () => this.backoff.delete(name));
    this.slots.push(slot);
    this.byName.set(name, slot);
  }

  /**
   * Starts every informer; resolves once each has completed its first list, and throws
   * `unavailable` naming the kinds that could not be listed (an unreachable server, a missing
   * permission): an empty cache must never read as a healthy cluster. ConfigMaps and Secrets
   * may stay unsynced (reported in the snapshot) rather than fail the start: an agent without
   * permission to list Secrets still diagnoses everything else.
   */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all([
      ...this.slots.map((s) => s.informer.start()),
      this.configMaps.startOrRetry(),
      this.secrets.startOrRetry(),
    ]);
    const failed = this.slots.filter((s) => !s.listed);
    if (failed.length === 0) return;
    const first = failed[0]?.lastError;
    const kinds =
      failed.length === this.slots.length ? "anything" : failed.map((s) => s.name).join(", ");
    const server = this.kc.getCurrentCluster()?.server ?? "the cluster";
    throw new OpsloopError(
      "unavailable",
      `cannot list ${kinds} from ${server}: ${errorText(first)}`,
      {
        cause: first,
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.configMaps.stop();
    this.secrets.stop();
    await Promise.all(this.slots.map((s) => s.informer.stop()));
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /**
   * The synced view. The same object is returned until an informer changes, and only the kinds
   * that changed are listed again: callers (a tick, every detection lookup, the topology) ask
   * for it many times a second, and per-snapshot indexes (WeakMap-keyed) then stay warm.
   * Callers must treat it as read-only.
   */
  snapshot(): ClusterSnapshot {
    this.cached ??= this.buildSnapshot();
    return this.cached;
  }

  private buildSnapshot(): ClusterSnapshot {
    const list = (name: string): never[] => {
      const slot = this.byName.get(name);
      if (!slot) return [];
      slot.items ??= slot.informer.list() as never[];
      return slot.items;
    };
    return {
      pods: list("pods"),
      events: list("events"),
      nodes: list("nodes"),
      namespaces: list("namespaces"),
      deployments: list("deployments"),
      replicaSets: list("replicasets"),
      statefulSets: list("statefulsets"),
      daemonSets: list("daemonsets"),
      jobs: list("jobs"),
      cronJobs: list("cronjobs"),
      services: list("services"),
      endpoints: list("endpoints"),
      ingresses: list("ingresses"),
      ingressClasses: list("ingressclasses"),
      networkPolicies: list("networkpolicies"),
      persistentVolumeClaims: list("pvcs"),
      persistentVolumes: list("pvs"),
      storageClasses: list("storageclasses"),
      horizontalPodAutoscalers: list("hpas"),
      podDisruptionBudgets: list("pdbs"),
      validatingWebhooks: list("validatingwebhooks"),
      mutatingWebhooks: list("mutatingwebhooks"),
      configMaps: this.configMaps.items(),
      secrets: this.secrets.items(),
      unsynced: [
        ...(this.configMaps.synced ? [] : (["ConfigMap"] as const)),
        ...(this.secrets.synced ? [] : (["Secret"] as const)),
      ],
    };
  }

  /** Reads a container log, bounded to the last 50 lines / 16 KiB. */
  readonly readLog: LogReader = async (namespace, name, container, { previous }) =>
    this.core.readNamespacedPodLog({
      namespace,
      name,
      container,
      previous,
      tailLines: 50,
      limitBytes: 16_384,
    });

  private notify(): void {
    for (const cb of this.listeners) cb();
  }

  private recordError(name: string, err: unknown): void {
    this.errors.push(`${name}: ${errorText(err)}`);
    if (this.errors.length > 50) this.errors.shift();
  }

  private restartLater(name: string, informer: Cached<KubernetesObject>, err: unknown): void {
    this.recordError(name, err);
    if (this.stopped) return;
    const delay = Math.min((this.backoff.get(name) ?? 250) * 2, 30_000);
    this.backoff.set(name, delay);
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) informer.start().catch((e) => this.restartLater(name, informer, e));
    }, delay);
    this.timers.add(t);
  }
}

/** One line for an error from client-node: its message, or the HTTP status it carries. */
function errorText(err: unknown): string {
  if (err instanceof Error) return err.message.split("\n")[0] ?? err.name;
  return err === undefined ? "no answer" : String(err);
}
