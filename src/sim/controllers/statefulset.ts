/**
 * StatefulSet controller (pkg/controller/statefulset): pods `<name>-<ordinal>` with stable
 * hostnames, PVCs `<template>-<name>-<ordinal>` from volumeClaimTemplates, OrderedReady (one
 * ordinal at a time, each Running and Ready before the next) or Parallel management, and
 * RollingUpdate from the highest ordinal down to the partition.
 */
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import { podFromTemplate } from "./replicaset.ts";
import {
  computeHash,
  isControlledBy,
  isPodAvailable,
  isPodReady,
  type Json,
  ownerRefTo,
  replicasOf,
  writeStatus,
} from "./util.ts";

const COMPONENT = { component: "statefulset-controller" };
const REVISION = "controller-revision-hash";

const ordinalOf = (sts: KubeObject, p: KubeObject) => {
  const m = new RegExp(`^${sts.metadata.name}-(\\d+)$`).exec(p.metadata.name as string);
  return m ? Number(m[1]) : -1;
};
const healthy = (p: KubeObject) =>
  p.status?.phase === "Running" && isPodReady(p) && !p.metadata.deletionTimestamp;

export class StatefulSetController implements Controller {
  readonly name = "statefulset-controller";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(now: number): void {
    for (const sts of this.ctx.store.list("statefulsets.apps")) {
      if (!sts.metadata.deletionTimestamp) this.sync(sts, now);
    }
  }

  private revision(sts: KubeObject): string {
    const name = `${sts.metadata.name}-${computeHash(sts.spec.template)}`;
    if (!this.ctx.store.get("controllerrevisions.apps", sts.metadata.namespace, name)) {
      const revs = this.ctx.store
        .list("controllerrevisions.apps", { namespace: sts.metadata.namespace })
        .filter((r) => isControlledBy(r, sts));
      this.ctx.store.create(
        "controllerrevisions.apps",
        {
          apiVersion: "apps/v1",
          kind: "ControllerRevision",
          metadata: {
            name,
            namespace: sts.metadata.namespace,
            labels: { ...sts.spec.selector?.matchLabels, [REVISION]: name },
            ownerReferences: [ownerRefTo(sts)],
          },
          data: { spec: { template: sts.spec.template } },
          revision: Math.max(0, ...revs.map((r) => Number(r.revision) || 0)) + 1,
        },
        { internal: true },
      );
    }
    return name;
  }

  private sync(sts: KubeObject, now: number): void {
    const update = this.revision(sts);
    this.reconcile(sts, update);
    this.writeStatus(sts, update, now);
  }

  private reconcile(sts: KubeObject, update: string): void {
    const { store } = this.ctx;
    const ns = sts.metadata.namespace as string;
    const replicas = replicasOf(sts);
    const parallel = sts.spec.podManagementPolicy === "Parallel";
    const pods = store.list("pods", { namespace: ns }).filter((p) => isControlledBy(p, sts));
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(sts, p), p]));
    for (let i = 0; i < replicas; i++) {
      const p = byOrdinal.get(i);
      if (p?.status?.phase === "Failed" && !p.metadata.deletionTimestamp) {
        this.deletePod(sts, p);
        if (!parallel) return;
        continue;
      }
      if (!p) {
        this.createPod(sts, i, update);
        if (!parallel) return;
        continue;
      }
      if (!parallel && !healthy(p)) return;
    }
    const condemned = pods
      .filter((p) => ordinalOf(sts, p) >= replicas && !p.metadata.deletionTimestamp)
      .sort((a, b) => ordinalOf(sts, b) - ordinalOf(sts, a));
    for (const p of parallel ? condemned : condemned.slice(0, 1)) this.deletePod(sts, p);
    if (condemned.length && !parallel) return;
    if (sts.spec.updateStrategy?.type !== "OnDelete") {
      const partition = sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
      const allHealthy = pods.every((p) => ordinalOf(sts, p) >= replicas || healthy(p));
      const stale = pods
        .filter(
          (p) =>
            ordinalOf(sts, p) < replicas &&
            ordinalOf(sts, p) >= partition &&
            p.metadata.labels?.[REVISION] !== update &&
            !p.metadata.deletionTimestamp,
        )
        .sort((a, b) => ordinalOf(sts, b) - ordinalOf(sts, a));
      if (stale[0] && allHealthy) this.deletePod(sts, stale[0]);
    }
  }

  private createPod(sts: KubeObject, i: number, revision: string): void {
    const { store, events } = this.ctx;
    const ns = sts.metadata.namespace as string;
    const name = `${sts.metadata.name}-${i}`;
    const pod = podFromTemplate(sts, sts.spec.template, { name, generateName: undefined });
    delete pod.metadata.generateName;
    pod.metadata.labels = {
      ...pod.metadata.labels,
      [REVISION]: revision,
      "statefulset.kubernetes.io/pod-name": name,
      "apps.kubernetes.io/pod-index": String(i),
    };
    pod.spec.hostname = name;
    if (sts.spec.serviceName) pod.spec.subdomain = sts.spec.serviceName;
    const volumes: Json[] = (pod.spec.volumes ?? []).filter(
      (v: Json) =>
        !(sts.spec.volumeClaimTemplates ?? []).some((t: Json) => t.metadata?.name === v.name),
    );
    for (const tpl of sts.spec.volumeClaimTemplates ?? []) {
      const claim = `${tpl.metadata.name}-${sts.metadata.name}-${i}`;
      volumes.push({ name: tpl.metadata.name, persistentVolumeClaim: { claimName: claim } });
      if (store.get("persistentvolumeclaims", ns, claim)) continue;
      store.create(
        "persistentvolumeclaims",
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: claim, namespace: ns, labels: { ...sts.spec.selector?.matchLabels } },
          spec: structuredClone(tpl.spec ?? {}),
        },
        { internal: true },
      );
      events.record(
        sts,
        "Normal",
        "SuccessfulCreate",
        `create Claim ${claim} Pod ${name} in StatefulSet ${sts.metadata.name} success`,
        COMPONENT,
      );
    }
    if (volumes.length) pod.spec.volumes = volumes;
    store.create("pods", pod, { internal: true });
    events.record(
      sts,
      "Normal",
      "SuccessfulCreate",
      `create Pod ${name} in StatefulSet ${sts.metadata.name} successful`,
      COMPONENT,
    );
  }

  private deletePod(sts: KubeObject, p: KubeObject): void {
    this.ctx.store.delete("pods", p.metadata.namespace, p.metadata.name as string);
    this.ctx.events.record(
      sts,
      "Normal",
      "SuccessfulDelete",
      `delete Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
      COMPONENT,
    );
  }

  private writeStatus(sts: KubeObject, update: string, now: number): void {
    const pods = this.ctx.store
      .list("pods", { namespace: sts.metadata.namespace })
      .filter((p) => isControlledBy(p, sts) && !p.metadata.deletionTimestamp);
    const updated = pods.filter((p) => p.metadata.labels?.[REVISION] === update).length;
    const current = updated === pods.length ? update : (sts.status?.currentRevision ?? update);
    writeStatus(this.ctx, "statefulsets.apps", sts, {
      observedGeneration: sts.metadata.generation,
      replicas: pods.length,
      readyReplicas: pods.filter(isPodReady).length,
      currentReplicas: pods.filter((p) => p.metadata.labels?.[REVISION] === current).length,
      updatedReplicas: updated,
      availableReplicas: pods.filter((p) => isPodAvailable(p, sts.spec.minReadySeconds ?? 0, now))
        .length,
      currentRevision: current,
      updateRevision: update,
      collisionCount: 0,
    });
  }
}
