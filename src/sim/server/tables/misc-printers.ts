/** Services, endpoints, config, storage, networking and leases (printers.go). */
import { age, col, labelsString, orNone, type Printer } from "./table-util.ts";

// biome-ignore lint/suspicious/noExplicitAny: object JSON is open-ended.
type Any = any;

function serviceExternalIp(svc: Any): string {
  const spec = svc.spec ?? {};
  const ext: string[] = spec.externalIPs ?? [];
  switch (spec.type ?? "ClusterIP") {
    case "ClusterIP":
    case "NodePort":
      return ext.length ? ext.join(",") : "<none>";
    case "LoadBalancer": {
      const lb: string[] = (svc.status?.loadBalancer?.ingress ?? []).map(
        (i: Any) => i.ip || i.hostname,
      );
      const all = [...lb, ...ext];
      return all.length ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

function servicePorts(ports: Any[] | undefined): string {
  if (!ports?.length) return "<none>";
  return ports
    .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`)
    .join(",");
}

export const servicePrinter: Printer = {
  columns: [
    col("Name"),
    col("Type"),
    col("Cluster-IP"),
    col("External-IP"),
    col("Port(s)"),
    col("Age"),
    col("Selector", 1),
  ],
  row(svc, now) {
    return [
      svc.metadata.name ?? "",
      svc.spec?.type ?? "ClusterIP",
      orNone(svc.spec?.clusterIP),
      serviceExternalIp(svc),
      servicePorts(svc.spec?.ports),
      age(svc, now),
      labelsString(svc.spec?.selector) || "<none>",
    ];
  },
};

/** formatEndpoints: at most three ip:port pairs, then "+ N more...". */
function formatEndpoints(subsets: Any[] | undefined): string {
  const all: string[] = [];
  for (const ss of subsets ?? []) {
    const addrs: Any[] = ss.addresses ?? [];
    const ports: Any[] = ss.ports?.length ? ss.ports : [undefined];
    for (const p of ports) for (const a of addrs) all.push(p ? `${a.ip}:${p.port}` : a.ip);
  }
  if (all.length === 0) return "<none>";
  const shown = all.slice(0, 3).join(",");
  return all.length > 3 ? `${shown} + ${all.length - 3} more...` : shown;
}

export const endpointsPrinter: Printer = {
  columns: [col("Name"), col("Endpoints"), col("Age")],
  row: (ep, now) => [ep.metadata.name ?? "", formatEndpoints(ep.subsets as Any[]), age(ep, now)],
};

export const configMapPrinter: Printer = {
  columns: [col("Name"), col("Data", 0, "integer"), col("Age")],
  row: (cm, now) => [
    cm.metadata.name ?? "",
    Object.keys((cm.data as object) ?? {}).length +
      Object.keys((cm.binaryData as object) ?? {}).length,
    age(cm, now),
  ],
};

/** Only the number of keys: secret values never leave the store through a table. */
export const secretPrinter: Printer = {
  columns: [col("Name"), col("Type"), col("Data", 0, "integer"), col("Age")],
  row: (s, now) => [
    s.metadata.name ?? "",
    String(s.type ?? "Opaque"),
    Object.keys((s.data as object) ?? {}).length,
    age(s, now),
  ],
};

export const namespacePrinter: Printer = {
  columns: [col("Name"), col("Status"), col("Age")],
  row: (ns, now) => [ns.metadata.name ?? "", ns.status?.phase ?? "Active", age(ns, now)],
};

const ACCESS: Record<string, string> = {
  ReadWriteOnce: "RWO",
  ReadOnlyMany: "ROX",
  ReadWriteMany: "RWX",
  ReadWriteOncePod: "RWOP",
};

export const pvcPrinter: Printer = {
  columns: [
    col("Name"),
    col("Status"),
    col("Volume"),
    col("Capacity"),
    col("Access Modes"),
    col("StorageClass"),
    col("VolumeAttributesClass"),
    col("Age"),
    col("VolumeMode", 1),
  ],
  row(pvc, now) {
    const spec: Any = pvc.spec ?? {};
    const status: Any = pvc.status ?? {};
    const bound = Boolean(spec.volumeName);
    return [
      pvc.metadata.name ?? "",
      pvc.metadata.deletionTimestamp ? "Terminating" : (status.phase ?? "Pending"),
      spec.volumeName ?? "",
      bound ? (status.capacity?.storage ?? "") : "",
      bound ? (status.accessModes ?? []).map((m: string) => ACCESS[m] ?? m).join(",") : "",
      spec.storageClassName ?? "",
      spec.volumeAttributesClassName ?? "<unset>",
      age(pvc, now),
      spec.volumeMode ?? "<unset>",
    ];
  },
};

export const storageClassPrinter: Printer = {
  columns: [
    col("Name"),
    col("Provisioner"),
    col("ReclaimPolicy"),
    col("VolumeBindingMode"),
    col("AllowVolumeExpansion", 0, "boolean"),
    col("Age"),
  ],
  row(sc, now) {
    const isDefault =
      sc.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true";
    return [
      `${sc.metadata.name ?? ""}${isDefault ? " (default)" : ""}`,
      String(sc.provisioner ?? ""),
      String(sc.reclaimPolicy ?? "Delete"),
      String(sc.volumeBindingMode ?? "Immediate"),
      Boolean(sc.allowVolumeExpansion),
      age(sc, now),
    ];
  },
};

export const leasePrinter: Printer = {
  columns: [col("Name"), col("Holder"), col("Age")],
  row: (l, now) => [l.metadata.name ?? "", l.spec?.holderIdentity ?? "", age(l, now)],
};

export const ingressPrinter: Printer = {
  columns: [col("Name"), col("Class"), col("Hosts"), col("Address"), col("Ports"), col("Age")],
  row(ing, now) {
    const spec: Any = ing.spec ?? {};
    const hosts = (spec.rules ?? []).map((r: Any) => r.host).filter(Boolean);
    const addrs = (ing.status?.loadBalancer?.ingress ?? []).map((i: Any) => i.ip || i.hostname);
    return [
      ing.metadata.name ?? "",
      spec.ingressClassName ?? "<none>",
      hosts.length ? hosts.join(",") : "*",
      addrs.join(","),
      spec.tls?.length ? "80, 443" : "80",
      age(ing, now),
    ];
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [col("Name"), col("Pod-Selector"), col("Age")],
  row(np, now) {
    const sel: Any = np.spec?.podSelector ?? {};
    const s = labelsString(sel.matchLabels);
    return [np.metadata.name ?? "", s || "<none>", age(np, now)];
  },
};

export const genericPrinter: Printer = {
  columns: [col("Name"), col("Age")],
  row: (o, now) => [o.metadata.name ?? "", age(o, now)],
};
