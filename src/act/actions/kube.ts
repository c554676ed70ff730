/** Typed clients the actions use, built once per KubeConfig. */
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";

export interface KubeClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  objects: KubernetesObjectApi;
}

export function kubeClients(kc: KubeConfig): KubeClients {
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

export const FIELD_MANAGER = "opsloop";

export const strategic = () => setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
export const jsonPatch = () => setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
export const mergePatch = () => setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** HTTP status of a client-node ApiException, if it is one. */
export function httpCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/** The API server's Status message from a client-node ApiException, else the error's message. */
export function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown })?.body;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      return body.slice(0, 200);
    }
  }
  if (body && typeof body === "object" && "message" in body) return String(body.message);
  return (e as Error)?.message?.split("\n")[0] ?? String(e);
}

/** JSON round trip: client-node models hold Dates and class instances; snapshots are plain JSON. */
export const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v ?? null)) as T;
