/**
 * NodeReadinessRule, `readiness.node.x-k8s.io/v1alpha1`, as kubernetes-sigs/node-readiness-controller
 * defines it (api/v1alpha1/nodereadinessrule_types.go, v0.4+ with `defaultStatus`): field names,
 * enums and status shape are the upstream ones so the same objects work with either controller.
 * `validateRuleSpec` mirrors the CRD's CEL validation and the upstream webhook's checks.
 */
import { z } from "zod";

export const NRR_GROUP = "readiness.node.x-k8s.io";
export const NRR_VERSION = "v1alpha1";
export const NRR_PLURAL = "nodereadinessrules";
export const NRR_API_VERSION = `${NRR_GROUP}/${NRR_VERSION}`;
/** The CRD's x-kubernetes-validations require readiness taints to live under this prefix. */
export const TAINT_PREFIX = "readiness.k8s.io/";
/** bootstrap-only: once satisfied the node is marked and ignored by that rule from then on. */
export const BOOTSTRAP_COMPLETED_PREFIX = "readiness.k8s.io/bootstrap-completed-";

const ConditionStatus = z.enum(["True", "False", "Unknown"]);
export type ConditionStatus = z.infer<typeof ConditionStatus>;

const LabelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string().min(1),
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

const TaintKey = z
  .string()
  .refine((k) => k.startsWith(TAINT_PREFIX), `taint key must start with '${TAINT_PREFIX}'`)
  .refine((k) => k.split("/").length === 2, "taint key must contain exactly one '/'")
  .refine(
    (k) => (k.split("/")[1] ?? "").length <= 63,
    "taint key name must be at most 63 characters",
  );

export const RuleSpecSchema = z
  .object({
    conditions: z
      .array(
        z.object({
          type: z.string().min(1).max(316),
          requiredStatus: ConditionStatus,
          defaultStatus: ConditionStatus.optional(),
        }),
      )
      .min(1)
      .max(32),
    enforcementMode: z.enum(["bootstrap-only", "continuous"]),
    taint: z.object({
      key: TaintKey,
      value: z.string().optional(),
      effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
    }),
    nodeSelector: LabelSelector.refine(
      (s) => Object.keys(s.matchLabels ?? {}).length > 0 || (s.matchExpressions ?? []).length > 0,
      "nodeSelector must not be empty",
    ),
    dryRun: z.boolean().optional(),
  })
  .refine(
    (s) => s.enforcementMode !== "bootstrap-only" || s.conditions.every((c) => !c.defaultStatus),
    "defaultStatus is not allowed with enforcementMode bootstrap-only",
  );
export type RuleSpec = z.infer<typeof RuleSpecSchema>;

export interface ConditionEvaluationResult {
  type: string;
  currentStatus: ConditionStatus;
  requiredStatus: ConditionStatus;
  defaultStatus?: ConditionStatus;
  satisfied: boolean;
  missing: boolean;
}

export interface NodeEvaluation {
  nodeName: string;
  conditionResults: ConditionEvaluationResult[];
  taintStatus: "Present" | "Absent";
  lastEvaluationTime: string;
}

export interface NodeFailure {
  nodeName: string;
  reason?: string;
  message?: string;
  lastEvaluationTime: string;
}

export interface DryRunResults {
  affectedNodes?: number;
  taintsToAdd?: number;
  taintsToRemove?: number;
  riskyOperations?: number;
  summary: string;
}

export interface RuleStatus {
  observedGeneration?: number;
  appliedNodes?: string[];
  failedNodes?: NodeFailure[];
  nodeEvaluations?: NodeEvaluation[];
  dryRunResults?: DryRunResults;
}

export interface NodeReadinessRule {
  apiVersion: string;
  kind: "NodeReadinessRule";
  metadata: {
    name: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string;
  };
  spec: RuleSpec;
  status?: RuleStatus;
}

/** Parses a rule's spec; the error lists every problem, as the API server's validation would. */
export function validateRuleSpec(
  spec: unknown,
): { ok: true; spec: RuleSpec } | { ok: false; message: string } {
  const r = RuleSpecSchema.safeParse(spec);
  if (r.success) return { ok: true, spec: r.data };
  return {
    ok: false,
    message: r.error.issues.map((i) => `spec.${i.path.join(".")}: ${i.message}`).join("; "),
  };
}

/** The CRD as upstream installs it (cluster-scoped, short name nrr, status subresource). */
export function nodeReadinessRuleCrd(): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${NRR_PLURAL}.${NRR_GROUP}` },
    spec: {
      group: NRR_GROUP,
      scope: "Cluster",
      names: {
        plural: NRR_PLURAL,
        singular: "nodereadinessrule",
        kind: "NodeReadinessRule",
        listKind: "NodeReadinessRuleList",
        shortNames: ["nrr"],
      },
      versions: [
        {
          name: NRR_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          },
        },
      ],
    },
  };
}
