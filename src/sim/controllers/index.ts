/** Registers the controller-manager models and the API defaulting they rely on. */
import type { Simulation } from "../engine.ts";
import { CronJobController } from "./cronjob.ts";
import { DaemonSetController } from "./daemonset.ts";
import { registerDefaults } from "./defaults.ts";
import { DeploymentController } from "./deployment.ts";
import { DisruptionController } from "./disruption.ts";
import { EndpointsController } from "./endpoints.ts";
import { GarbageCollector } from "./garbage-collector.ts";
import { HorizontalPodAutoscalerController } from "./hpa.ts";
import { JobController } from "./job.ts";
import { NamespaceController } from "./namespace.ts";
import { PersistentVolumeController } from "./pv-binder.ts";
import { ReplicaSetController } from "./replicaset.ts";
import { StatefulSetController } from "./statefulset.ts";

export function registerControllers(sim: Simulation): void {
  registerDefaults(sim.ctx.store);
  // Namespaces created before the defaulting was registered (SimCluster's built-in ones).
  for (const ns of sim.ctx.store.list("namespaces")) {
    if (!ns.status?.phase)
      sim.ctx.store.mutate("namespaces", undefined, ns.metadata.name as string, () => {});
  }
  // Order matters within a tick: owners before the objects they create.
  sim.register(new HorizontalPodAutoscalerController(sim.ctx));
  sim.register(new DeploymentController(sim.ctx));
  sim.register(new ReplicaSetController(sim.ctx));
  sim.register(new StatefulSetController(sim.ctx));
  sim.register(new DaemonSetController(sim.ctx));
  sim.register(new CronJobController(sim.ctx));
  sim.register(new JobController(sim.ctx));
  sim.register(new EndpointsController(sim.ctx));
  sim.register(new DisruptionController(sim.ctx));
  sim.register(new PersistentVolumeController(sim.ctx));
  sim.register(new NamespaceController(sim.ctx));
  sim.register(new GarbageCollector(sim.ctx));
}
