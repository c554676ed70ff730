/**
 * The action library's contract. An action changes one target object through the Kubernetes
 * API (client-node, never kubectl). The executor drives every action the same way:
 * snapshot → change(dryRun: true) (server-side `dryRun=All`) → change(dryRun: false) →
 * verify (polled until done or timeout) → rollback(snapshot) when verification fails.
 * Snapshots are plain JSON: the executor persists them before applying, so a restarted
 * process can still roll back what a killed one started.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { z } from "zod";
import type { Clock } from "../../core/clock.ts";
import type { Finding, ObjectRef } from "../../core/types.ts";
import type { BlastRadius } from "../guardrails/policy.ts";
import type { KubeClients } from "./kube.ts";

export interface ActionContext {
  kube: KubeClients;
  kc: KubeConfig;
  /** Cluster time (stamps restartedAt, condition transitions). */
  clock: Clock;
  /** Real time, for retry/timeout loops (the eviction API's 429 back-off). */
  wall: Clock;
  sleep(ms: number): Promise<void>;
  /**
   * The finding the run acts on (set by the executor per run): an action sized by it, like the
   * forecast's HPA floor, reads it; the others ignore it.
   */
  finding?: Finding;
}

export interface Check {
  done: boolean;
  message: string;
  /** Verification can never succeed (e.g. the object is gone): stop waiting. */
  failed?: boolean;
}

export interface ActionDef<P = Record<string, unknown>> {
  name: string;
  /** Kinds this action acts on (a runbook step's targets must be of one of them). */
  kinds: readonly string[];
  /** Parameters, validated when a runbook is loaded and again before a run. */
  params: z.ZodType<P>;
  /** Whether `rollback` can undo the change (delete-pod and drain evictions cannot be undone). */
  reversible: boolean;
  /** What the change disrupts, for the guardrails' blast radius. */
  blast(ctx: ActionContext, target: ObjectRef, params: P): Promise<BlastRadius>;
  /** The state `rollback` needs, as plain JSON. */
  snapshot(ctx: ActionContext, target: ObjectRef, params: P): Promise<unknown>;
  /** Sends the change (server-side dry run when `dryRun`); returns a one-line description. */
  change(
    ctx: ActionContext,
    target: ObjectRef,
    params: P,
    snapshot: unknown,
    dryRun: boolean,
  ): Promise<string>;
  /** The action's own success condition, polled by the executor after `change`. */
  check(ctx: ActionContext, target: ObjectRef, params: P, snapshot: unknown): Promise<Check>;
  /** Restores the snapshot; returns a one-line description. */
  rollback(ctx: ActionContext, target: ObjectRef, params: P, snapshot: unknown): Promise<string>;
}

/** Erases the parameter type so actions of different params live in one registry. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds actions of every param type
export type AnyAction = ActionDef<any>;

export const defineAction = <P>(a: ActionDef<P>): ActionDef<P> => a;

export const ns = (t: ObjectRef) => t.namespace ?? "default";

export const DRY = (dryRun: boolean) => (dryRun ? "All" : undefined);
