/**
 * Ingress backends that lead nowhere: a Service that does not exist in the Ingress's namespace
 * (backends cannot cross namespaces), a port the Service does not expose, or a TLS Secret that
 * does not exist (the controller then serves its default certificate), an IngressClass that does
 * not exist or no class at all where no default is marked (no controller serves it). A Service that exists but
 * has no endpoints is the service analyzer's finding, not repeated here.
 */
import type { V1Ingress, V1IngressBackend, V1Service } from "@kubernetes/client-node";
import type { Finding } from "../../core/types.ts";
import type { ClusterSnapshot } from "../../sources/kubernetes/snapshot.ts";
import { makeFinding, refOf } from "./common.ts";
import { similarName } from "./config-refs.ts";

const SOURCE = "diagnose/ingress";

interface Backend {
  where: string;
  backend: V1IngressBackend;
}

function backends(ing: V1Ingress): Backend[] {
  const out: Backend[] = [];
  if (ing.spec?.defaultBackend)
    out.push({ where: "defaultBackend", backend: ing.spec.defaultBackend });
  for (const r of ing.spec?.rules ?? [])
    for (const p of r.http?.paths ?? [])
      out.push({ where: `${r.host ?? "*"}${p.path ?? "/"}`, backend: p.backend });
  return out;
}

export function analyzeIngresses(snap: ClusterSnapshot, now: number): Finding[] {
  const services = new Map(
    snap.services.map((s) => [`${s.metadata?.namespace}/${s.metadata?.name}`, s]),
  );
  const out: Finding[] = [];
  for (const ing of snap.ingresses) {
    const ns = ing.metadata?.namespace ?? "";
    const seen = new Set<string>();
    for (const b of backends(ing)) {
      const svcName = b.backend.service?.name;
      if (!svcName || seen.has(svcName)) continue;
      const svc = services.get(`${ns}/${svcName}`);
      if (!svc) {
        seen.add(svcName);
        out.push(missingService(ing, b, snap.services, now));
        continue;
      }
      const f = missingPort(ing, b, svc, now);
      if (f) {
        seen.add(svcName);
        out.push(f);
      }
    }
    out.push(...missingTls(ing, snap, now));
    const cls = classProblem(ing, snap, now);
    if (cls) out.push(cls);
  }
  return out;
}

function missingService(ing: V1Ingress, b: Backend, all: V1Service[], now: number): Finding {
  const ns = ing.metadata?.namespace ?? "";
  const name = b.backend.service?.name ?? "";
  const inNs = all.filter((s) => s.metadata?.namespace === ns).map((s) => s.metadata?.name ?? "");
  const like = similarName(name, inNs) ?? samePrefix(name, inNs);
  return makeFinding(
    {
      source: SOURCE,
      key: `service/${name}`,
      subject: refOf("Ingress", ing.metadata),
      affected: [{ kind: "Service", namespace: ns, name }],
      reason: "IngressServiceNotFound",
      rootCause: `Ingress ${ns}/${ing.metadata?.name} routes ${b.where} to Service ${name}, which does not exist in namespace ${ns}${like ? `; Service "${like}" exists` : ""}`,
      evidence: [
        {
          type: "object",
          text: `service "${name}" not found in namespace ${ns} (services: ${inNs.join(", ") || "none"})`,
        },
      ],
      fix: {
        description: like
          ? `point the backend at Service ${like}, or create Service ${name}`
          : `create Service ${name} in ${ns} or point the backend at an existing Service`,
      },
      confidence: like ? 0.95 : 0.9,
      severity: "critical",
    },
    now,
  );
}

function missingPort(ing: V1Ingress, b: Backend, svc: V1Service, now: number): Finding | null {
  const port = b.backend.service?.port;
  if (!port) return null;
  const ports = svc.spec?.ports ?? [];
  const ok =
    port.number !== undefined
      ? ports.some((p) => p.port === port.number)
      : ports.some((p) => p.name === port.name);
  if (ok) return null;
  const ns = ing.metadata?.namespace ?? "";
  const wanted = port.number ?? `"${port.name}"`;
  const exposes = ports.map((p) => (p.name ? `${p.port} (${p.name})` : `${p.port}`)).join(", ");
  return makeFinding(
    {
      source: SOURCE,
      key: `port/${svc.metadata?.name}/${wanted}`,
      subject: refOf("Ingress", ing.metadata),
      affected: [refOf("Service", svc.metadata)],
      reason: "IngressServicePortNotFound",
      rootCause: `Ingress ${ns}/${ing.metadata?.name} routes ${b.where} to port ${wanted} of Service ${svc.metadata?.name}, which exposes only ${exposes || "no ports"}`,
      evidence: [
        {
          type: "object",
          text: `Service ${ns}/${svc.metadata?.name} spec.ports: ${exposes || "none"}`,
        },
      ],
      fix: {
        description: `use one of the Service's ports (${exposes || "none"}) in the Ingress backend`,
      },
      confidence: 0.9,
      severity: "critical",
    },
    now,
  );
}

function missingTls(ing: V1Ingress, snap: ClusterSnapshot, now: number): Finding[] {
  if (snap.unsynced?.includes("Secret")) return [];
  const ns = ing.metadata?.namespace ?? "";
  const names = new Set(snap.secrets.filter((s) => s.namespace === ns).map((s) => s.name));
  return (ing.spec?.tls ?? [])
    .filter((t) => t.secretName && !names.has(t.secretName))
    .map((t) =>
      makeFinding(
        {
          source: SOURCE,
          key: `tls/${t.secretName}`,
          subject: refOf("Ingress", ing.metadata),
          affected: [{ kind: "Secret", namespace: ns, name: t.secretName ?? "" }],
          reason: "IngressTLSSecretNotFound",
          rootCause: `Ingress ${ns}/${ing.metadata?.name} terminates TLS for ${(t.hosts ?? []).join(", ") || "its hosts"} with Secret ${t.secretName}, which does not exist: the controller serves its default certificate`,
          evidence: [
            { type: "object", text: `secret "${t.secretName}" not found in namespace ${ns}` },
          ],
          fix: {
            description: `create the TLS Secret ${t.secretName} (kubectl create secret tls) or fix the name`,
          },
          confidence: 0.85,
          severity: "warning",
        },
        now,
      ),
    );
}

/** `web-svc` vs `web-service`: renames keep the first word, too far apart for a typo check. */
function samePrefix(name: string, candidates: string[]): string | undefined {
  const head = name.split("-")[0] ?? name;
  const same = candidates.filter((c) => c !== name && c.split("-")[0] === head);
  return same.length === 1 ? same[0] : undefined;
}

const DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class";
const LEGACY_CLASS = "kubernetes.io/ingress.class";

function classProblem(ing: V1Ingress, snap: ClusterSnapshot, now: number): Finding | undefined {
  const classes = snap.ingressClasses;
  if (!classes) return undefined;
  const names = classes.map((c) => c.metadata?.name ?? "");
  const wanted = ing.spec?.ingressClassName;
  const ns = ing.metadata?.namespace ?? "";
  const base = { source: SOURCE, subject: refOf("Ingress", ing.metadata), affected: [] };
  const available = names.length ? names.join(", ") : "none";
  if (wanted && !names.includes(wanted)) {
    const like = similarName(wanted, names) ?? (names.length === 1 ? names[0] : undefined);
    const patch = like ? { spec: { ingressClassName: like } } : undefined;
    return makeFinding(
      {
        ...base,
        key: `class/${wanted}`,
        reason: "IngressClassNotFound",
        rootCause: `Ingress ${ns}/${ing.metadata?.name} names IngressClass ${wanted}, which does not exist (classes: ${available}): no controller serves it`,
        evidence: [
          {
            type: "object",
            text: `ingressclass "${wanted}" not found; IngressClasses: ${available}`,
          },
        ],
        fix: {
          description: like
            ? `set ingressClassName to ${like}`
            : "install the ingress controller for this class, or name an existing class",
          ...(patch
            ? {
                patch,
                command: `kubectl -n ${ns} patch ingress ${ing.metadata?.name} -p '${JSON.stringify(patch)}'`,
              }
            : {}),
        },
        confidence: 0.9,
        severity: "critical",
      },
      now,
    );
  }
  const hasDefault = classes.some((c) => c.metadata?.annotations?.[DEFAULT_CLASS] === "true");
  if (wanted || ing.metadata?.annotations?.[LEGACY_CLASS] || hasDefault || names.length < 2)
    return undefined; // one class: controllers of a single-class cluster usually take unclassed Ingresses
  return makeFinding(
    {
      ...base,
      key: "class/unset",
      reason: "IngressClassNotSet",
      rootCause: `Ingress ${ns}/${ing.metadata?.name} names no IngressClass and none of ${available} is marked default: no controller is bound to serve it`,
      evidence: [
        {
          type: "object",
          text: `spec.ingressClassName unset; no IngressClass has ${DEFAULT_CLASS}=true`,
        },
      ],
      fix: {
        description: `set spec.ingressClassName to one of ${available}, or mark one class as default`,
      },
      confidence: 0.7,
      severity: "warning",
    },
    now,
  );
}
