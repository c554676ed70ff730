/**
 * Deployment controller (pkg/controller/deployment: sync.go, rolling.go, recreate.go).
 * ReplicaSets are named `<deployment>-<pod-template-hash>`; a template that matches an old
 * ReplicaSet (what `kubectl rollout undo` sends) re-uses it with a bumped revision.
 */
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import { byAge, historyToDelete, proportionalSizes } from "./deployment-scale.ts";
import {
  type Cond,
  isComplete,
  newCondition,
  pausedConditions,
  rolloutStatus,
  setDeploymentCondition,
} from "./deployment-status.ts";
import {
  buildNewReplicaSet,
  DESIRED_REPLICAS,
  fenceposts,
  isRollingUpdate,
  MAX_REPLICAS,
  maxUnavailable,
  newRSReplicas,
  REVISION,
  REVISION_HISTORY,
  revisionOf,
  sameTemplate,
} from "./deployment-util.ts";
import { ChangeGate, isControlledBy, isPodActive, replicasOf, writeStatus } from "./util.ts";

const COMPONENT = { component: "deployment-controller" };
interface SyncState {
  d: KubeObject;
  newRS: KubeObject | undefined;
  olds: KubeObject[];
  conds: Cond[];
  now: number;
}

export class DeploymentController implements Controller {
  readonly name = "deployment-controller";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  private readonly gate = new ChangeGate();

  tick(now: number): void {
    for (const d of this.ctx.store.list("deployments.apps")) {
      if (d.metadata.deletionTimestamp) continue;
      // Only a rollout in progress depends on time alone (progress deadline, minReadySeconds).
      const settled = d.status?.conditions?.some(
        (c: { type: string; reason?: string }) =>
          c.type === "Progressing" &&
          (c.reason === "NewReplicaSetAvailable" || c.reason === "ProgressDeadlineExceeded"),
      );
      const inputs = [d, ...this.owned(d)];
      if (!this.gate.changed(d.metadata.uid as string, inputs) && settled) continue;
      this.sync(d, now);
    }
  }

  private sync(d: KubeObject, now: number): void {
    const st: SyncState = {
      d,
      newRS: undefined,
      olds: [],
      conds: [...(d.status?.conditions ?? [])],
      now,
    };
    st.conds = pausedConditions(d, st.conds, now);
    const rollout = !d.spec.paused && !this.isScalingEvent(d);
    this.findReplicaSets(st, rollout && isRollingUpdate(d));
    if (!rollout) {
      this.scale(st);
      if (d.spec.paused && !d.spec.rollbackTo) this.cleanup(st);
    } else if (isRollingUpdate(d)) this.rolling(st);
    else this.recreate(st);
    this.writeStatus(st);
  }

  private owned(d: KubeObject): KubeObject[] {
    return this.ctx.store
      .list("replicasets.apps", { namespace: d.metadata.namespace })
      .filter((rs) => isControlledBy(rs, d));
  }

  private isScalingEvent(d: KubeObject): boolean {
    const active = this.owned(d).filter((rs) => replicasOf(rs) > 0);
    return active.some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      return desired !== undefined && Number(desired) !== replicasOf(d);
    });
  }

  /** getAllReplicaSetsAndSyncRevision. */
  private findReplicaSets(st: SyncState, create: boolean): void {
    const { d } = st;
    const all = this.owned(d).sort(byAge);
    const found = all.find((rs) => sameTemplate(rs.spec.template, d.spec.template));
    st.olds = all.filter((rs) => rs !== found);
    const newRevision = Math.max(0, ...st.olds.map(revisionOf)) + 1;
    if (found) st.newRS = this.syncRevision(st, found, newRevision);
    else if (create) st.newRS = this.createNewRS(st, newRevision);
    const revision = st.newRS ? revisionOf(st.newRS) : newRevision - 1;
    if (revision > 0 && d.metadata.annotations?.[REVISION] !== String(revision)) {
      st.d = this.ctx.store.mutate(
        "deployments.apps",
        d.metadata.namespace,
        d.metadata.name as string,
        (x) => {
          x.metadata.annotations = { ...x.metadata.annotations, [REVISION]: String(revision) };
        },
      );
    }
  }

  private syncRevision(st: SyncState, rs: KubeObject, newRevision: number): KubeObject {
    const old = revisionOf(rs);
    const minReady = st.d.spec.minReadySeconds ?? 0;
    if (old >= newRevision && (rs.spec.minReadySeconds ?? 0) === minReady) return rs;
    if (!st.conds.some((c) => c.type === "Progressing"))
      st.conds = setDeploymentCondition(
        st.conds,
        newCondition(
          "Progressing",
          "True",
          "FoundNewReplicaSet",
          `Found new replica set "${rs.metadata.name}"`,
          st.now,
        ),
      );
    return this.ctx.store.mutate(
      "replicasets.apps",
      rs.metadata.namespace,
      rs.metadata.name as string,
      (x) => {
        x.spec.minReadySeconds = minReady;
        if (old >= newRevision) return;
        const a: Record<string, string> = {
          ...x.metadata.annotations,
          [REVISION]: String(newRevision),
        };
        if (old > 0)
          a[REVISION_HISTORY] = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${old}` : String(old);
        x.metadata.annotations = a;
      },
    );
  }

  private createNewRS(st: SyncState, revision: number): KubeObject {
    const { d } = st;
    const draft = buildNewReplicaSet(d, revision, 0);
    draft.spec.replicas = newRSReplicas(d, st.olds, draft);
    const rs = this.ctx.store.create("replicasets.apps", draft, { internal: true });
    if (replicasOf(rs) > 0)
      this.ctx.events.record(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled up replica set ${rs.metadata.name} from 0 to ${replicasOf(rs)}`,
        COMPONENT,
      );
    st.conds = setDeploymentCondition(
      st.conds,
      newCondition(
        "Progressing",
        "True",
        "NewReplicaSetCreated",
        `Created new replica set "${rs.metadata.name}"`,
        st.now,
      ),
    );
    return rs;
  }

  /** scaleReplicaSetAndRecordEvent, also keeping the desired/max annotations in step. */
  private scaleRS(st: SyncState, rs: KubeObject, size: number): KubeObject {
    const { d } = st;
    const desired = String(replicasOf(d));
    const max = String(replicasOf(d) + fenceposts(d).surge);
    const from = replicasOf(rs);
    const a = rs.metadata.annotations ?? {};
    if (from === size && a[DESIRED_REPLICAS] === desired && a[MAX_REPLICAS] === max) return rs;
    const out = this.ctx.store.mutate(
      "replicasets.apps",
      rs.metadata.namespace,
      rs.metadata.name as string,
      (x) => {
        x.spec.replicas = size;
        x.metadata.annotations = {
          ...x.metadata.annotations,
          [DESIRED_REPLICAS]: desired,
          [MAX_REPLICAS]: max,
        };
      },
    );
    if (from !== size) {
      const dir = size > from ? "up" : "down";
      this.ctx.events.record(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled ${dir} replica set ${rs.metadata.name} from ${from} to ${size}`,
        COMPONENT,
      );
    }
    if (st.newRS?.metadata.uid === out.metadata.uid) st.newRS = out;
    st.olds = st.olds.map((o) => (o.metadata.uid === out.metadata.uid ? out : o));
    return out;
  }

  /** sync.go scale(): one active set takes the whole size; otherwise proportional scaling. */
  private scale(st: SyncState): void {
    const { d, newRS } = st;
    const all = [...(newRS ? [newRS] : []), ...st.olds];
    const active = all.filter((rs) => replicasOf(rs) > 0);
    const target =
      active.length === 1 ? active[0] : active.length === 0 ? (newRS ?? st.olds.at(-1)) : undefined;
    if (target) {
      this.scaleRS(st, target, replicasOf(d));
      return;
    }
    if (
      newRS &&
      replicasOf(newRS) === replicasOf(d) &&
      newRS.metadata.annotations?.[DESIRED_REPLICAS] === String(replicasOf(d))
    ) {
      for (const rs of st.olds) this.scaleRS(st, rs, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    for (const [rs, size] of proportionalSizes(d, active)) this.scaleRS(st, rs, size);
  }

  private rolling(st: SyncState): void {
    const { d } = st;
    const newRS = st.newRS as KubeObject;
    if (replicasOf(newRS) !== replicasOf(d)) {
      const target =
        replicasOf(newRS) > replicasOf(d)
          ? replicasOf(d)
          : newRSReplicas(d, [newRS, ...st.olds], newRS);
      if (target !== replicasOf(newRS)) {
        this.scaleRS(st, newRS, target);
        return;
      }
    }
    if (this.reconcileOld(st)) return;
    if (isComplete(d, { ...this.peekStatus(st) })) this.cleanup(st);
  }

  private peekStatus(st: SyncState) {
    return rolloutStatus(
      st.d,
      [...(st.newRS ? [st.newRS] : []), ...st.olds],
      st.newRS,
      st.conds,
      st.now,
    );
  }

  /** rolling.go reconcileOldReplicaSets: unhealthy old pods first, then down to minAvailable. */
  private reconcileOld(st: SyncState): boolean {
    const { d } = st;
    const newRS = st.newRS as KubeObject;
    const oldCount = st.olds.reduce((n, rs) => n + replicasOf(rs), 0);
    if (oldCount === 0) return false;
    const all = [newRS, ...st.olds];
    const allCount = all.reduce((n, rs) => n + replicasOf(rs), 0);
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    let budget = allCount - minAvailable - newUnavailable;
    if (budget <= 0) return false;
    let scaled = 0;
    for (const rs of [...st.olds].sort(byAge)) {
      if (budget <= 0) break;
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
      const down = Math.min(budget, unhealthy);
      this.scaleRS(st, rs, replicasOf(rs) - down);
      budget -= down;
      scaled += down;
    }
    const available = [newRS, ...st.olds].reduce(
      (n, rs) => n + (rs.status?.availableReplicas ?? 0),
      0,
    );
    let total = available - minAvailable;
    for (const rs of [...st.olds].sort(byAge)) {
      if (total <= 0) break;
      if (replicasOf(rs) === 0) continue;
      const down = Math.min(replicasOf(rs), total);
      this.scaleRS(st, rs, replicasOf(rs) - down);
      total -= down;
      scaled += down;
    }
    return scaled > 0;
  }

  private recreate(st: SyncState): void {
    const { d } = st;
    let scaledDown = false;
    for (const rs of st.olds) {
      if (replicasOf(rs) > 0) {
        this.scaleRS(st, rs, 0);
        scaledDown = true;
      }
    }
    if (scaledDown) return;
    const oldPods = this.ctx.store
      .list("pods", { namespace: d.metadata.namespace })
      .some((p) => st.olds.some((rs) => isControlledBy(p, rs)) && isPodActive(p));
    if (oldPods) return;
    if (!st.newRS) st.newRS = this.createNewRS(st, Math.max(0, ...st.olds.map(revisionOf)) + 1);
    this.scaleRS(st, st.newRS, replicasOf(d));
    if (isComplete(d, this.peekStatus(st))) this.cleanup(st);
  }

  /** cleanupDeployment: delete the oldest empty sets beyond revisionHistoryLimit. */
  private cleanup(st: SyncState): void {
    const deletable = historyToDelete(st.d, st.olds);
    for (const rs of deletable)
      this.ctx.store.delete("replicasets.apps", rs.metadata.namespace, rs.metadata.name as string);
    st.olds = st.olds.filter((rs) => !deletable.includes(rs));
  }

  private writeStatus(st: SyncState): void {
    const s = this.peekStatus(st);
    const d = this.ctx.store.get(
      "deployments.apps",
      st.d.metadata.namespace,
      st.d.metadata.name as string,
    );
    if (!d) return;
    writeStatus(this.ctx, "deployments.apps", d, s);
  }
}
