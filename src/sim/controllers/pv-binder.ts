/**
 * PersistentVolume controller (pkg/controller/volume/persistentvolume) plus a dynamic
 * provisioner: a Pending claim binds to a matching Available volume, or its StorageClass
 * provisions `pvc-<claim uid>` (after the first consumer is scheduled for WaitForFirstConsumer);
 * a missing class or no class at all leaves it Pending with the real events.
 */
import type { Controller, SimContext } from "../engine.ts";
import { parseQuantity } from "../quantity.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { KubeObject } from "../store/types.ts";

const COMPONENT = { component: "persistentvolume-controller" };
const SC = "storageclasses.storage.k8s.io";
const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

/** The DefaultStorageClass admission plugin: a claim without a class gets the default one. */
export function defaultStorageClass(store: ObjectStore, pvc: KubeObject): void {
  if (!pvc.spec || pvc.spec.storageClassName !== undefined) return;
  const def = store.list(SC).find((s) => s.metadata.annotations?.[DEFAULT_CLASS] === "true");
  if (def) pvc.spec.storageClassName = def.metadata.name;
}

const requestOf = (pvc: KubeObject) => parseQuantity(pvc.spec?.resources?.requests?.storage ?? "0");

function fits(pv: KubeObject, pvc: KubeObject): boolean {
  if (pv.status?.phase !== "Available" || pv.spec?.claimRef) return false;
  if ((pv.spec.storageClassName ?? "") !== (pvc.spec.storageClassName ?? "")) return false;
  if (parseQuantity(pv.spec.capacity?.storage ?? "0") < requestOf(pvc)) return false;
  return (pvc.spec.accessModes ?? []).every((m: string) => (pv.spec.accessModes ?? []).includes(m));
}

export class PersistentVolumeController implements Controller {
  readonly name = "persistentvolume-controller";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(): void {
    const { store } = this.ctx;
    for (const pv of store.list("persistentvolumes")) {
      if (!pv.status?.phase)
        store.mutate(
          "persistentvolumes",
          undefined,
          pv.metadata.name as string,
          (d) => (d.status = { phase: pv.spec?.claimRef ? "Bound" : "Available" }),
        );
    }
    for (const pvc of store.list("persistentvolumeclaims")) {
      if (pvc.status?.phase === "Pending" && !pvc.metadata.deletionTimestamp) this.syncClaim(pvc);
    }
    this.reclaim();
  }

  private syncClaim(pvc: KubeObject): void {
    const { store, events } = this.ctx;
    const pv = store.list("persistentvolumes").find((v) => fits(v, pvc));
    if (pv) {
      this.bind(pvc, pv);
      return;
    }
    const scName = pvc.spec?.storageClassName;
    if (!scName) {
      events.record(
        pvc,
        "Normal",
        "FailedBinding",
        "no persistent volumes available for this claim and no storage class is set",
        COMPONENT,
      );
      return;
    }
    const sc = store.get(SC, undefined, scName);
    if (!sc) {
      events.record(
        pvc,
        "Warning",
        "ProvisioningFailed",
        `storageclass.storage.k8s.io "${scName}" not found`,
        COMPONENT,
      );
      return;
    }
    let node: string | undefined;
    if (sc.volumeBindingMode === "WaitForFirstConsumer") {
      node = this.consumerNode(pvc);
      if (!node) {
        events.record(
          pvc,
          "Normal",
          "WaitForFirstConsumer",
          "waiting for first consumer to be created before binding",
          COMPONENT,
        );
        return;
      }
    }
    this.bind(pvc, this.provision(pvc, sc, node));
  }

  private consumerNode(pvc: KubeObject): string | undefined {
    const pods = this.ctx.store.list("pods", { namespace: pvc.metadata.namespace });
    const user = pods.find(
      (p) =>
        p.spec?.nodeName &&
        (p.spec.volumes ?? []).some(
          (v: { persistentVolumeClaim?: { claimName: string } }) =>
            v.persistentVolumeClaim?.claimName === pvc.metadata.name,
        ),
    );
    return user?.spec.nodeName;
  }

  private provision(pvc: KubeObject, sc: KubeObject, node: string | undefined): KubeObject {
    const { store, events } = this.ctx;
    const who = { component: `${sc.provisioner}` };
    const ref = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    events.record(
      pvc,
      "Normal",
      "Provisioning",
      `External provisioner is provisioning volume for claim "${ref}"`,
      who,
    );
    const name = `pvc-${pvc.metadata.uid}`;
    const pv = store.create(
      "persistentvolumes",
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
          name,
          annotations: { "pv.kubernetes.io/provisioned-by": String(sc.provisioner) },
        },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? "1Gi" },
          accessModes: pvc.spec.accessModes ?? ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
          storageClassName: sc.metadata.name,
          volumeMode: pvc.spec.volumeMode ?? "Filesystem",
          csi: { driver: sc.provisioner, volumeHandle: name },
          ...(node
            ? {
                nodeAffinity: {
                  required: {
                    nodeSelectorTerms: [
                      {
                        matchExpressions: [
                          { key: "kubernetes.io/hostname", operator: "In", values: [node] },
                        ],
                      },
                    ],
                  },
                },
              }
            : {}),
        },
        status: { phase: "Available" },
      },
      { internal: true },
    );
    events.record(
      pvc,
      "Normal",
      "ProvisioningSucceeded",
      `Successfully provisioned volume ${name}`,
      who,
    );
    return pv;
  }

  private bind(pvc: KubeObject, pv: KubeObject): void {
    const { store } = this.ctx;
    store.mutate("persistentvolumes", undefined, pv.metadata.name as string, (d) => {
      d.spec.claimRef = {
        kind: "PersistentVolumeClaim",
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
        apiVersion: "v1",
        resourceVersion: pvc.metadata.resourceVersion,
      };
      d.status = { phase: "Bound" };
    });
    store.mutate(
      "persistentvolumeclaims",
      pvc.metadata.namespace,
      pvc.metadata.name as string,
      (d) => {
        d.spec.volumeName = pv.metadata.name;
        d.metadata.annotations = {
          ...d.metadata.annotations,
          "pv.kubernetes.io/bind-completed": "yes",
          "pv.kubernetes.io/bound-by-controller": "yes",
        };
        d.status = {
          phase: "Bound",
          accessModes: pv.spec.accessModes,
          capacity: { ...pv.spec.capacity },
        };
      },
    );
  }

  /** A bound volume whose claim is gone is deleted (Delete) or Released (Retain). */
  private reclaim(): void {
    const { store } = this.ctx;
    for (const pv of store.list("persistentvolumes")) {
      const ref = pv.spec?.claimRef;
      if (pv.status?.phase !== "Bound" || !ref) continue;
      const pvc = store.get("persistentvolumeclaims", ref.namespace, ref.name);
      if (pvc && pvc.metadata.uid === ref.uid) continue;
      if (pv.spec.persistentVolumeReclaimPolicy === "Delete")
        store.delete("persistentvolumes", undefined, pv.metadata.name as string);
      else
        store.mutate(
          "persistentvolumes",
          undefined,
          pv.metadata.name as string,
          (d) => (d.status = { phase: "Released" }),
        );
    }
  }
}
