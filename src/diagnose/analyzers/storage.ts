/**
 * PersistentVolumeClaims stuck Pending, followed to the cause the PV controller reports: a
 * StorageClass that does not exist (ProvisioningFailed), or a claim that can only bind statically
 * (storageClassName "" / no default class / a no-provisioner class) with no Available volume
 * that fits — and which volume came closest. Pods mounting the claim are listed as affected;
 * their Pending state is the pending analyzer's finding.
 */
import type {
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
} from "@kubernetes/client-node";
import { redactText } from "../../core/redact.ts";
import type { Evidence, Finding, ObjectRef } from "../../core/types.ts";
import { parseQuantity } from "../../sim/quantity.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { eventEvidence, eventIndex, makeFinding, podRef, refOf } from "./common.ts";
import { similarName } from "./config-refs.ts";

const SOURCE = "diagnose/storage";
const DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

export function analyzeStorage(snap: ClusterSnapshot, now: number): Finding[] {
  const out: Finding[] = [];
  const classes = new Map(snap.storageClasses.map((c) => [c.metadata?.name ?? "", c]));
  const dflt = snap.storageClasses.find(
    (c) => c.metadata?.annotations?.[DEFAULT_ANNOTATION] === "true",
  );
  for (const pvc of snap.persistentVolumeClaims) {
    if (pvc.status?.phase !== "Pending" || pvc.spec?.volumeName) continue;
    const users = usersOf(snap, pvc);
    const evidence: Evidence[] = [
      { type: "status", text: `PersistentVolumeClaim ${name(pvc)} is Pending` },
      ...eventIndex(snap).of("PersistentVolumeClaim", pvc.metadata).slice(0, 2).map(eventEvidence),
    ];
    const scName = pvc.spec?.storageClassName ?? dflt?.metadata?.name;
    const sc = scName ? classes.get(scName) : undefined;
    if (scName && !sc) {
      out.push(missingClass(pvc, scName, [...classes.keys()], users, evidence, now));
      continue;
    }
    const staticOnly = !sc || sc.provisioner === "kubernetes.io/no-provisioner";
    if (!staticOnly) {
      // A provisioner is at work (or waits for its first consumer); its errors are events.
      const failed = provisionerFailure(snap, pvc, sc, users, evidence, now);
      if (failed) out.push(failed);
      continue;
    }
    if (sc?.volumeBindingMode === "WaitForFirstConsumer" && !users.length) continue;
    out.push(noVolume(pvc, sc, snap.persistentVolumes, users, evidence, now));
  }
  return out;
}

/** The provisioner's own ProvisioningFailed event, newest first (e.g. a CSI quota or zone error). */
function provisionerFailure(
  snap: ClusterSnapshot,
  pvc: V1PersistentVolumeClaim,
  sc: V1StorageClass,
  users: ObjectRef[],
  evidence: Evidence[],
  now: number,
): Finding | undefined {
  const ev = eventIndex(snap).of("PersistentVolumeClaim", pvc.metadata, "ProvisioningFailed")[0];
  if (ev?.type !== "Warning") return undefined;
  return makeFinding(
    {
      source: SOURCE,
      key: `provisioner/${sc.metadata?.name}`,
      subject: refOf("PersistentVolumeClaim", pvc.metadata),
      affected: users,
      reason: "ProvisioningFailed",
      rootCause: `PersistentVolumeClaim ${name(pvc)} cannot be provisioned by ${sc.provisioner} (StorageClass ${sc.metadata?.name}): ${redactText(ev.message ?? "")}`,
      evidence,
      fix: {
        description: `fix what the provisioner ${sc.provisioner} reports (quota, zone, parameters of StorageClass ${sc.metadata?.name})`,
      },
      confidence: 0.75,
      severity: users.length ? "critical" : "warning",
    },
    now,
  );
}

function name(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace}/${o.metadata?.name}`;
}

function usersOf(snap: ClusterSnapshot, pvc: V1PersistentVolumeClaim): ObjectRef[] {
  return snap.pods
    .filter(
      (p) =>
        p.metadata?.namespace === pvc.metadata?.namespace &&
        (p.spec?.volumes ?? []).some(
          (v) => v.persistentVolumeClaim?.claimName === pvc.metadata?.name,
        ),
    )
    .map(podRef);
}

function missingClass(
  pvc: V1PersistentVolumeClaim,
  scName: string,
  existing: string[],
  users: ObjectRef[],
  evidence: Evidence[],
  now: number,
): Finding {
  const like = similarName(scName, existing) ?? existing[0];
  const ns = pvc.metadata?.namespace;
  return makeFinding(
    {
      source: SOURCE,
      key: `class/${scName}`,
      subject: refOf("PersistentVolumeClaim", pvc.metadata),
      affected: users,
      reason: "ProvisioningFailed",
      rootCause: `PersistentVolumeClaim ${name(pvc)} asks for StorageClass ${scName}, which does not exist${existing.length ? ` (the cluster has ${existing.join(", ")})` : " (the cluster has no StorageClass)"}`,
      evidence,
      fix: {
        description: `recreate the claim with storageClassName ${like ?? "<an existing class>"} (the field is immutable) or create StorageClass ${scName}`,
        ...(like
          ? {
              command: `kubectl -n ${ns} get pvc ${pvc.metadata?.name} -o yaml | sed 's/storageClassName: ${scName}/storageClassName: ${like}/' | kubectl replace --force -f -`,
            }
          : {}),
      },
      confidence: 0.95,
      severity: users.length ? "critical" : "warning",
    },
    now,
  );
}

function noVolume(
  pvc: V1PersistentVolumeClaim,
  sc: V1StorageClass | undefined,
  pvs: V1PersistentVolume[],
  users: ObjectRef[],
  evidence: Evidence[],
  now: number,
): Finding {
  const cls = pvc.spec?.storageClassName ?? "";
  const candidates = pvs.filter(
    (v) => (v.spec?.storageClassName ?? "") === cls && !v.spec?.claimRef,
  );
  const near = candidates.map((v) => ({ v, why: misfit(v, pvc) })).find((c) => c.why);
  const how = sc
    ? `StorageClass ${cls} has no provisioner`
    : cls === "" && pvc.spec?.storageClassName === ""
      ? 'storageClassName is "" (static binding only)'
      : "no storage class is set and the cluster has no default StorageClass";
  const want = `${pvc.spec?.resources?.requests?.storage ?? "?"} ${(pvc.spec?.accessModes ?? []).join(",")}`;
  return makeFinding(
    {
      source: SOURCE,
      key: `static/${cls}`,
      subject: refOf("PersistentVolumeClaim", pvc.metadata),
      affected: users,
      reason: "FailedBinding",
      rootCause: `PersistentVolumeClaim ${name(pvc)} can only bind to an existing volume (${how}) and no Available PersistentVolume${cls ? ` of class ${cls}` : ""} fits ${want}${near ? `; the closest, ${near.v.metadata?.name}, ${near.why}` : candidates.length ? "" : ": there is none"}`,
      evidence,
      fix: {
        description: sc
          ? `create a PersistentVolume of class ${cls} with at least ${want}`
          : `set storageClassName to a provisioning StorageClass (recreate the claim) or create a matching PersistentVolume`,
      },
      confidence: 0.85,
      severity: users.length ? "critical" : "warning",
    },
    now,
  );
}

/** Why a volume does not fit the claim (pv_controller's findMatchingVolume checks). */
function misfit(pv: V1PersistentVolume, pvc: V1PersistentVolumeClaim): string | undefined {
  const need = parseQuantity(pvc.spec?.resources?.requests?.storage);
  const has = parseQuantity(pv.spec?.capacity?.storage);
  if (has < need)
    return `has ${pv.spec?.capacity?.storage} but the claim requests ${pvc.spec?.resources?.requests?.storage}`;
  const modes = pv.spec?.accessModes ?? [];
  const lacking = (pvc.spec?.accessModes ?? []).filter((m) => !modes.includes(m));
  if (lacking.length)
    return `lacks access mode ${lacking.join(",")} (it offers ${modes.join(",")})`;
  if (pv.status?.phase && pv.status.phase !== "Available") return `is ${pv.status.phase}`;
  return undefined;
}
