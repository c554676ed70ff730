/**
 * Enforces NodeReadinessRules when the upstream node-readiness-controller is not installed
 * (its kustomize default is Deployment nrr-system/nrr-controller-manager): reads the rules and
 * the nodes through the Kubernetes API, adds or removes each rule's taint, marks bootstrap-only
 * completions, and writes the upstream status fields. Taint writes are a PUT carrying the
 * node's resourceVersion (optimistic locking, as upstream v0.4.1 does, so concurrent taint
 * managers such as Karpenter or the node lifecycle controller are never overwritten); a
 * conflict is retried on a fresh read. Every change is audited.
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Taint,
} from "@kubernetes/client-node";
import { type Clock, isoTime } from "../../core/clock.ts";
import type { AuditLog } from "../audit.ts";
import {
  bootstrapAnnotation,
  dryRunResults,
  type NodeDecision,
  nodeView,
  planRule,
  selectorsMayOverlap,
} from "./evaluate.ts";
import {
  type NodeFailure,
  type NodeReadinessRule,
  NRR_GROUP,
  NRR_PLURAL,
  NRR_VERSION,
  type RuleSpec,
  type RuleStatus,
  validateRuleSpec,
} from "./types.ts";

export interface RuleReport {
  rule: string;
  invalid?: string;
  dryRun: boolean;
  added: string[];
  removed: string[];
  bootstrapCompleted: string[];
  failed: string[];
}

export interface ReconcileReport {
  /** Set when opsloop stood back (upstream controller present or the CRD is not installed). */
  skipped?: string;
  rules: RuleReport[];
}

export interface EnforcerOptions {
  kc: KubeConfig;
  clock: Clock;
  audit?: AuditLog;
  /** Where the upstream controller runs; when it has available replicas opsloop does nothing. */
  upstream?: { namespace: string; name: string };
}

const GVR = { group: NRR_GROUP, version: NRR_VERSION, plural: NRR_PLURAL };

const emptyReport = (rule: NodeReadinessRule): RuleReport => ({
  rule: rule.metadata.name,
  dryRun: rule.spec?.dryRun === true,
  added: [],
  removed: [],
  bootstrapCompleted: [],
  failed: [],
});
const statusCode = (e: unknown) => (e as { code?: number }).code;

export class NodeReadinessEnforcer {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly opts: EnforcerOptions;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(opts: EnforcerOptions) {
    this.opts = opts;
    this.core = opts.kc.makeApiClient(CoreV1Api);
    this.apps = opts.kc.makeApiClient(AppsV1Api);
    this.custom = opts.kc.makeApiClient(CustomObjectsApi);
  }

  async upstreamInstalled(): Promise<boolean> {
    const where = this.opts.upstream ?? { namespace: "nrr-system", name: "nrr-controller-manager" };
    try {
      const d = await this.apps.readNamespacedDeployment(where);
      return (d.status?.availableReplicas ?? 0) > 0;
    } catch (e) {
      if (statusCode(e) === 404) return false;
      throw e;
    }
  }

  async reconcile(): Promise<ReconcileReport> {
    if (await this.upstreamInstalled())
      return { skipped: "the upstream node-readiness-controller is running", rules: [] };
    let rules: NodeReadinessRule[];
    try {
      rules = ((await this.custom.listClusterCustomObject(GVR)) as { items: NodeReadinessRule[] })
        .items;
    } catch (e) {
      if (statusCode(e) === 404)
        return { skipped: "the NodeReadinessRule CRD is not installed", rules: [] };
      throw e;
    }
    // Without upstream's webhook two rules could fight over one taint: the older rule wins and
    // a newer one with the same taint key and effect on overlapping nodes is reported, not run.
    const ordered = [...rules].sort(
      (a, b) =>
        String(a.metadata.creationTimestamp ?? "").localeCompare(
          String(b.metadata.creationTimestamp ?? ""),
        ) || a.metadata.name.localeCompare(b.metadata.name),
    );
    const accepted: NodeReadinessRule[] = [];
    const reports: RuleReport[] = [];
    for (const rule of ordered) {
      const clash = accepted.find(
        (a) =>
          a.spec.taint.key === rule.spec?.taint?.key &&
          a.spec.taint.effect === rule.spec?.taint?.effect &&
          selectorsMayOverlap(a.spec.nodeSelector, rule.spec.nodeSelector ?? {}),
      );
      const report = clash
        ? {
            ...emptyReport(rule),
            invalid: `conflicts with NodeReadinessRule ${clash.metadata.name}: same taint key and effect on overlapping nodes`,
          }
        : await this.reconcileRule(rule);
      if (!report.invalid) accepted.push(rule);
      reports.push(report);
    }
    return { rules: reports };
  }

  /** Reconciles every `intervalMs` until stop(), one pass at a time; errors go to `lastError`. */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      // A slow API server must not stack passes that race each other's taint writes.
      if (this.busy) return;
      this.busy = true;
      this.reconcile()
        .then(() => {
          this.lastError = undefined;
        })
        .catch((e: unknown) => {
          this.lastError = (e as Error).message;
        })
        .finally(() => {
          this.busy = false;
        });
    }, intervalMs);
  }

  /** The last pass's error, cleared by a pass that succeeds. */
  lastError: string | undefined;
  private busy = false;

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async reconcileRule(rule: NodeReadinessRule): Promise<RuleReport> {
    const name = rule.metadata.name;
    const valid = validateRuleSpec(rule.spec);
    const report = emptyReport(rule);
    if (!valid.ok) return { ...report, invalid: valid.message };
    const now = isoTime(this.opts.clock.now());
    const nodes = (await this.core.listNode()).items.map(nodeView);
    const plan = planRule(name, valid.spec, nodes, now);
    const failures: NodeFailure[] = [];
    if (!report.dryRun) {
      for (const d of plan.decisions) {
        try {
          await this.applyDecision(name, valid.spec, d);
          if (d.change === "add") report.added.push(d.node);
          if (d.change === "remove") report.removed.push(d.node);
          if (d.completeBootstrap) report.bootstrapCompleted.push(d.node);
        } catch (e) {
          report.failed.push(d.node);
          failures.push({
            nodeName: d.node,
            reason: "TaintUpdateFailed",
            message: (e as Error).message.slice(0, 1024),
            lastEvaluationTime: now,
          });
        }
      }
    }
    await this.writeStatus(rule, plan, failures, report.dryRun);
    return report;
  }

  private async applyDecision(rule: string, spec: RuleSpec, d: NodeDecision): Promise<void> {
    if (d.change === "none" && !d.completeBootstrap) return;
    for (let attempt = 0; ; attempt++) {
      const node = await this.core.readNode({ name: d.node });
      const taints: V1Taint[] = node.spec?.taints ?? [];
      const others = taints.filter(
        (t) => !(t.key === spec.taint.key && t.effect === spec.taint.effect),
      );
      const next: V1Taint[] =
        d.change === "add"
          ? [
              ...others,
              {
                ...spec.taint,
                ...(spec.taint.effect === "NoExecute"
                  ? { timeAdded: new Date(this.opts.clock.now()) }
                  : {}),
              },
            ]
          : d.change === "remove"
            ? others
            : taints;
      node.spec = { ...(node.spec ?? {}), taints: next };
      if (d.completeBootstrap)
        node.metadata = {
          ...node.metadata,
          annotations: {
            ...(node.metadata?.annotations ?? {}),
            [bootstrapAnnotation(rule)]: "true",
          },
        };
      try {
        await this.core.replaceNode({
          name: d.node,
          body: node,
          fieldManager: "opsloop-node-readiness",
        });
        break;
      } catch (e) {
        if (statusCode(e) !== 409 || attempt >= 4) throw e;
      }
    }
    if (d.change !== "none") d.evaluation.taintStatus = d.change === "add" ? "Present" : "Absent";
    this.opts.audit?.append({
      actor: "opsloop/node-readiness",
      action:
        d.change === "add"
          ? "taint-node"
          : d.change === "remove"
            ? "untaint-node"
            : "bootstrap-complete",
      target: { kind: "Node", name: d.node },
      why: `NodeReadinessRule ${rule}: ${d.evaluation.conditionResults.map((r) => `${r.type}=${r.currentStatus} (want ${r.requiredStatus})`).join(", ")}`,
      result: "applied",
      details: { taint: spec.taint, bootstrapCompleted: d.completeBootstrap },
    });
  }

  private async writeStatus(
    rule: NodeReadinessRule,
    plan: ReturnType<typeof planRule>,
    failedNodes: NodeFailure[],
    dryRun: boolean,
  ): Promise<void> {
    const failed = new Set(failedNodes.map((f) => f.nodeName));
    const status: RuleStatus = {
      ...(rule.metadata.generation ? { observedGeneration: rule.metadata.generation } : {}),
      appliedNodes: dryRun ? [] : plan.decisions.map((d) => d.node).filter((n) => !failed.has(n)),
      failedNodes,
      nodeEvaluations: plan.decisions.map((d) => d.evaluation),
      ...(dryRun ? { dryRunResults: dryRunResults(plan) } : {}),
    };
    // A merge patch: null removes dryRunResults left over from an earlier dry run.
    const body = { status: { ...status, dryRunResults: status.dryRunResults ?? null } };
    await this.custom.patchClusterCustomObjectStatus(
      { ...GVR, name: rule.metadata.name, body, fieldManager: "opsloop-node-readiness" },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }
}
