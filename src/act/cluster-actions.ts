/**
 * The cluster operations the executor needs, over the Kubernetes API with client-node. The
 * restart patch is exactly what `kubectl rollout restart` sends (a strategic-merge patch of
 * spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]).
 */
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from "@kubernetes/client-node";

export interface RolloutState {
  done: boolean;
  message: string;
}

export interface ClusterActions {
  /** The cluster the action library changes (absent in tests that only evaluate policy). */
  kube?: KubeConfig;
  /** Labels of a namespace; undefined when it cannot be read (the guardrail then denies). */
  namespaceLabels(ns: string): Promise<Record<string, string> | undefined>;
  getDeployment(ns: string, name: string): Promise<V1Deployment>;
  patchDeployment(ns: string, name: string, patch: object, dryRun: boolean): Promise<V1Deployment>;
}

export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

/** The restart patch; `null` deletes the annotation (strategic merge semantics), for rollback. */
export function restartPatch(at: string | null): object {
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } };
}

/** Like `kubectl rollout status`: the controller saw the change and every replica is new and available. */
export function rolloutState(d: V1Deployment): RolloutState {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0))
    return { done: false, message: "waiting for the rollout to be observed" };
  if ((s.updatedReplicas ?? 0) < want)
    return {
      done: false,
      message: `${s.updatedReplicas ?? 0} of ${want} updated replicas are available`,
    };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    return {
      done: false,
      message: `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas are pending termination`,
    };
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0))
    return {
      done: false,
      message: `${s.availableReplicas ?? 0} of ${s.updatedReplicas} updated replicas are available`,
    };
  return { done: true, message: "successfully rolled out" };
}

export function kubeClusterActions(kc: KubeConfig): ClusterActions {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  return {
    kube: kc,
    async namespaceLabels(ns) {
      try {
        return (await core.readNamespace({ name: ns })).metadata?.labels ?? {};
      } catch {
        // Unknown labels are reported as such; the guardrail turns that into a denial.
        return undefined;
      }
    },
    getDeployment: (namespace, name) => apps.readNamespacedDeployment({ namespace, name }),
    patchDeployment: (namespace, name, body, dryRun) =>
      apps.patchNamespacedDeployment(
        { namespace, name, body, dryRun: dryRun ? "All" : undefined, fieldManager: "opsloop" },
        setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
      ),
  };
}
