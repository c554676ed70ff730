/**
 * meta.k8s.io/v1 Table rendering for `Accept: application/json;as=Table;...`, in lists and in
 * watch events. kubectl prints only NAME and AGE without it.
 */
import type { ResourceType } from "../../store/resources.ts";
import type { KubeObject } from "../../store/types.ts";
import { eventPrinter, nodePrinter, podPrinter } from "./core-printers.ts";
import {
  configMapPrinter,
  endpointsPrinter,
  genericPrinter,
  ingressPrinter,
  leasePrinter,
  namespacePrinter,
  networkPolicyPrinter,
  pvcPrinter,
  secretPrinter,
  servicePrinter,
  storageClassPrinter,
} from "./misc-printers.ts";
import type { Printer } from "./table-util.ts";
import {
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  hpaPrinter,
  jobPrinter,
  pdbPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from "./workload-printers.ts";

const PRINTERS: Record<string, Printer> = {
  pods: podPrinter,
  nodes: nodePrinter,
  events: eventPrinter,
  "events.events.k8s.io": eventPrinter,
  "deployments.apps": deploymentPrinter,
  "replicasets.apps": replicaSetPrinter,
  "daemonsets.apps": daemonSetPrinter,
  "statefulsets.apps": statefulSetPrinter,
  "jobs.batch": jobPrinter,
  "cronjobs.batch": cronJobPrinter,
  services: servicePrinter,
  endpoints: endpointsPrinter,
  configmaps: configMapPrinter,
  secrets: secretPrinter,
  namespaces: namespacePrinter,
  persistentvolumeclaims: pvcPrinter,
  "storageclasses.storage.k8s.io": storageClassPrinter,
  "horizontalpodautoscalers.autoscaling": hpaPrinter,
  "poddisruptionbudgets.policy": pdbPrinter,
  "leases.coordination.k8s.io": leasePrinter,
  "ingresses.networking.k8s.io": ingressPrinter,
  "networkpolicies.networking.k8s.io": networkPolicyPrinter,
};

export type IncludeObject = "Object" | "Metadata" | "None";

export function printerFor(t: ResourceType): Printer {
  return PRINTERS[t.group ? `${t.resource}.${t.group}` : t.resource] ?? genericPrinter;
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return obj;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

export function toTable(
  t: ResourceType,
  objects: KubeObject[],
  now: number,
  opts: { include: IncludeObject; resourceVersion?: string; withColumns?: boolean },
): Record<string, unknown> {
  const p = printerFor(t);
  // The events.k8s.io view is printed from its core/v1 shape: the columns are the same.
  const rows = objects.map((o) => {
    const object = rowObject(o, opts.include);
    return { cells: p.row(o, now), ...(object ? { object } : {}) };
  });
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {},
    ...(opts.withColumns === false ? {} : { columnDefinitions: p.columns }),
    rows,
  };
}

export function parseInclude(q: URLSearchParams): IncludeObject {
  const v = q.get("includeObject");
  if (v === "Object" || v === "None") return v;
  return "Metadata";
}
