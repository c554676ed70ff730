/**
 * The scenario file format (documented in docs/scenarios.md): a small cluster as manifests, a
 * timeline of changes a user or the world makes to it, and the ground truth an AIOps engine
 * should find. Faults are never written as statuses: they emerge from objects and physics.
 */
import { z } from "zod";

const Manifest = z.record(z.string(), z.unknown());

/** Manifests inline (a list) or as one multi-document YAML string. */
export const Manifests = z.union([z.string(), z.array(Manifest)]);

export const ObjectTarget = z
  .object({
    kind: z.string(),
    name: z.string(),
    namespace: z.string().optional(),
    apiVersion: z.string().optional(),
  })
  .strict();
export type ObjectTarget = z.infer<typeof ObjectTarget>;

const Behaviour = z.record(z.string(), z.unknown());

export const ACTIONS = [
  "apply",
  "patch",
  "delete",
  "setBehaviour",
  "setNodeBehaviour",
  "scale",
  "cordon",
] as const;

export const TimelineAction = z
  .object({
    at: z.union([z.string(), z.number()]),
    /** Why this happens (shown in demo output). */
    note: z.string().optional(),
    apply: Manifests.optional(),
    patch: z
      .object({
        target: ObjectTarget,
        type: z.enum(["strategic", "merge"]).default("strategic"),
        patch: z.record(z.string(), z.unknown()),
      })
      .strict()
      .optional(),
    delete: ObjectTarget.optional(),
    /** Replace the pod-template behaviour annotation of a Deployment/StatefulSet/DaemonSet. */
    setBehaviour: z.object({ target: ObjectTarget, behaviour: Behaviour }).strict().optional(),
    setNodeBehaviour: z.object({ node: z.string(), behaviour: Behaviour }).strict().optional(),
    scale: z
      .object({ target: ObjectTarget, replicas: z.number().int().min(0) })
      .strict()
      .optional(),
    cordon: z.object({ node: z.string() }).strict().optional(),
  })
  .strict()
  .refine(
    (a) => ACTIONS.filter((k) => a[k] !== undefined).length === 1,
    `each timeline entry needs exactly one action of: apply, patch, delete, setBehaviour, setNodeBehaviour, scale, cordon`,
  );
export type TimelineAction = z.infer<typeof TimelineAction>;

const Subject = z
  .object({ kind: z.string(), name: z.string(), namespace: z.string().optional() })
  .strict();

export const Truth = z
  .object({
    findings: z
      .array(
        z
          .object({
            kind: z.enum(["anomaly", "prediction", "problem", "alert"]),
            reason: z.string(),
            subject: Subject,
            /** Simulated time after start by which the finding is due (e.g. "2m"). */
            by: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    rootCause: z.object({ entity: Subject, sentence: z.string() }).strict().optional(),
    remedy: z.string().optional(),
  })
  .strict();
export type Truth = z.infer<typeof Truth>;

export const ImagesConfig = z
  .object({
    repositories: z.record(z.string(), z.array(z.string())).optional(),
    private: z.array(z.string()).optional(),
  })
  .strict();

export const Scenario = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    /** Default speed factor (simulated seconds per wall second) for the demo. */
    speed: z.number().positive().default(30),
    /** Simulated start time (ISO 8601); default the simulator's (Monday 2026-01-05 00:00 UTC). */
    start: z.iso.datetime().optional(),
    images: ImagesConfig.default({}),
    /** Manifest files applied before `objects`, relative to the scenario file (shared clusters). */
    include: z.array(z.string()).default([]),
    objects: Manifests.default([]),
    timeline: z.array(TimelineAction).default([]),
    truth: Truth.default({ findings: [] }),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;
