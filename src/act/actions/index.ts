/** The action library: every action the executor can run, by name. */
import { OpsloopError } from "../../core/errors.ts";
import { patch, raiseMemoryLimit, rolloutRestart, scale } from "./deployment.ts";
import { drain } from "./drain.ts";
import { raiseHpaMinReplicas, restoreHpaMinReplicas } from "./hpa-floor.ts";
import { cordon, setNodeCondition, taintNode, uncordon } from "./node.ts";
import { deletePod } from "./pods.ts";
import { applyHpa, applyManifest, notify } from "./resources.ts";
import { rolloutUndo } from "./rollout-undo.ts";
import { scaleInAfterSurge, scaleOutForSurge } from "./surge-replicas.ts";
import type { AnyAction } from "./types.ts";

export const ACTIONS: readonly AnyAction[] = [
  rolloutRestart,
  rolloutUndo,
  scale,
  raiseMemoryLimit,
  patch,
  cordon,
  uncordon,
  drain,
  deletePod,
  setNodeCondition,
  taintNode,
  applyHpa,
  raiseHpaMinReplicas,
  restoreHpaMinReplicas,
  scaleOutForSurge,
  scaleInAfterSurge,
  applyManifest,
  notify,
];

const BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

export function actionNamed(name: string): AnyAction {
  const a = BY_NAME.get(name);
  if (!a)
    throw new OpsloopError(
      "invalid_input",
      `unknown action ${name}; known: ${[...BY_NAME.keys()].join(", ")}`,
    );
  return a;
}

export type { ActionContext, ActionDef, AnyAction, Check } from "./types.ts";
