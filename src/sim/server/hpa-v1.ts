/**
 * autoscaling/v1 HorizontalPodAutoscaler as a converted view of the stored autoscaling/v2
 * objects (pkg/apis/autoscaling/v1 conversion): targetCPUUtilizationPercentage is the cpu
 * Utilization metric. `kubectl autoscale` still creates v1 objects.
 */
import type { ResourceRegistry, ResourceType } from "../store/resources.ts";
import type { KubeObject } from "../store/types.ts";

// biome-ignore lint/suspicious/noExplicitAny: HPA JSON is open-ended.
type Any = any;

export function hpaV2ToV1(o: KubeObject): KubeObject {
  const spec: Any = o.spec ?? {};
  const status: Any = o.status ?? {};
  const cpu = (spec.metrics ?? []).find(
    (m: Any) => m.type === "Resource" && m.resource?.name === "cpu",
  );
  const curCpu = (status.currentMetrics ?? []).find(
    (m: Any) => m.type === "Resource" && m.resource?.name === "cpu",
  );
  const out: Any = {
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata: o.metadata,
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu?.resource?.target?.averageUtilization,
    },
    status: {
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: curCpu?.resource?.current?.averageUtilization,
    },
  };
  return structuredClone(out);
}

export function hpaV1ToV2(o: KubeObject): KubeObject {
  const spec: Any = o.spec ?? {};
  const status: Any = o.status ?? {};
  const target = spec.targetCPUUtilizationPercentage;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: o.metadata,
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(target !== undefined
        ? {
            metrics: [
              {
                type: "Resource",
                resource: {
                  name: "cpu",
                  target: { type: "Utilization", averageUtilization: target },
                },
              },
            ],
          }
        : {}),
    },
    ...(o.status
      ? {
          status: {
            currentReplicas: status.currentReplicas ?? 0,
            desiredReplicas: status.desiredReplicas ?? 0,
            ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
            ...(status.observedGeneration !== undefined
              ? { observedGeneration: status.observedGeneration }
              : {}),
          },
        }
      : {}),
  };
}

/** Serve autoscaling/v1 next to the stored v2 (same storage, as the real API server does). */
export function addHpaV1(registry: ResourceRegistry): void {
  const v2 = registry.lookup("autoscaling", "v2", "horizontalpodautoscalers");
  if (!v2 || registry.lookup("autoscaling", "v1", "horizontalpodautoscalers")) return;
  const v1: ResourceType = { ...v2, version: "v1" };
  registry.add(v1);
}
