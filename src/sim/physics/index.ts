/**
 * Registers the cluster physics after the controllers: node models (kubelet status loop and
 * node lifecycle controller), the scheduler and the kubelets, plus the API server's graceful
 * deletion rule for pods.
 */
import type { Simulation } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import type { ImageRegistry } from "./image-registry.ts";
import { Kubelet } from "./kubelet/kubelet.ts";
import { NodeLifecycle } from "./node-lifecycle.ts";
import { NodeStates } from "./node-state.ts";
import { Scheduler } from "./scheduler.ts";

export interface PhysicsOptions {
  images: ImageRegistry;
}

/**
 * registry/core/pod/strategy.go CheckGracefulDelete: a pod that is bound to a node gets a
 * deletionTimestamp and waits for its kubelet; an unbound pod, a pod already terminated
 * (phase Failed or Succeeded, e.g. evicted), or grace 0, goes at once.
 */
export function podGracePeriod(
  obj: KubeObject,
  opts: { gracePeriodSeconds?: number },
): number | undefined {
  if (obj.kind !== "Pod" || !obj.spec?.nodeName) return undefined;
  const phase = obj.status?.phase;
  if (phase === "Failed" || phase === "Succeeded") return undefined;
  const grace =
    opts.gracePeriodSeconds ??
    obj.metadata.deletionGracePeriodSeconds ??
    obj.spec?.terminationGracePeriodSeconds ??
    30;
  return grace > 0 ? grace : undefined;
}

export function registerPhysics(sim: Simulation, opts: PhysicsOptions): void {
  const states = new NodeStates();
  sim.ctx.store.setGracefulPolicy(podGracePeriod);
  sim.register(new NodeLifecycle(sim.ctx, states));
  sim.register(new Scheduler(sim.ctx));
  sim.register(new Kubelet(sim.ctx, opts.images, states));
}
