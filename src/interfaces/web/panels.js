// The side panels: ROI figures, pending approvals, current findings, audit log, charts.
import { api, duration, el, ref, time, toast, token } from "./ui.js";

let onChange = () => {};

/** Called after a decision, so the whole page refreshes. */
export function afterDecision(fn) {
  onChange = fn;
}

export async function loadRoi() {
  const r = await api("/api/v1/roi");
  const pct =
    r.noiseReduction === undefined || r.noiseReduction === null
      ? "–"
      : `${Math.round(r.noiseReduction * 100)}%`;
  const items = [
    ["incidents", r.incidents],
    ["resolved", r.resolved],
    ["MTTD", duration(r.mttdMs)],
    ["MTTR", duration(r.mttrMs)],
    ["noise reduction", pct],
  ];
  document
    .getElementById("roi")
    .replaceChildren(...items.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}
async function decide(id, verb) {
  try {
    const body =
      verb === "reject" ? { reason: prompt("Why reject?") || "rejected in the dashboard" } : {};
    await api(`/api/v1/approvals/${encodeURIComponent(id)}/${verb}`, { method: "POST", body });
    toast(`${verb === "approve" ? "approved" : "rejected"}`);
  } catch (e) {
    toast(e.message, true);
  }
  onChange();
}

export async function loadApprovals() {
  const list = document.getElementById("approvals");
  let r;
  try {
    r = await api("/api/v1/tools/list_approvals?status=pending");
  } catch (e) {
    list.replaceChildren(
      el("li", { class: "muted" }, e.status === 404 ? "approvals are not available" : e.message),
    );
    return;
  }
  if (!r.approvals.length) {
    list.replaceChildren(el("li", { class: "muted" }, "nothing waiting"));
    return;
  }
  list.replaceChildren(
    ...r.approvals.map((a) =>
      el(
        "li",
        { class: "card", dataset: { id: a.id, testid: "approval" } },
        el("b", {}, a.summary),
        el(
          "div",
          {},
          `${a.action} on ${ref(a.target)}${a.runbook ? ` (runbook ${a.runbook})` : ""}`,
        ),
        el("div", { class: "muted" }, a.reasons.join("; ")),
        el("div", { class: "muted" }, `expires ${time(a.expiresAt)}`),
        token
          ? el(
              "div",
              { class: "buttons" },
              el(
                "button",
                {
                  type: "button",
                  class: "ok",
                  "data-testid": "approve",
                  onclick: () => decide(a.id, "approve"),
                },
                "Approve",
              ),
              el(
                "button",
                {
                  type: "button",
                  class: "danger",
                  "data-testid": "reject",
                  onclick: () => decide(a.id, "reject"),
                },
                "Reject",
              ),
            )
          : el("div", { class: "muted" }, "open the dashboard with its token link to decide"),
      ),
    ),
  );
}

function findingCards(listId, findings, empty, total = findings.length) {
  const list = document.getElementById(listId);
  if (!findings.length) {
    list.replaceChildren(el("li", { class: "muted" }, empty));
    return;
  }
  // The tools answer one budgeted page (50 by default): say how many were left out.
  const more =
    total > findings.length
      ? [el("li", { class: "muted" }, `and ${total - findings.length} more`)]
      : [];
  list.replaceChildren(
    ...findings.map((f) =>
      el(
        "li",
        { class: "card", dataset: { reason: f.reason } },
        el("span", { class: `sev sev-${f.severity}` }, f.severity),
        " ",
        el("b", {}, f.reason),
        " ",
        ref(f.subject),
        f.eta ? el("div", {}, `expected at ${time(f.eta)}`) : null,
        el("div", {}, f.rootCause),
        f.fix ? el("div", { class: "muted" }, `fix: ${f.fix.description}`) : null,
      ),
    ),
    ...more,
  );
}

export async function loadFindings() {
  const [p, q] = await Promise.all([
    api("/api/v1/tools/list_problems"),
    api("/api/v1/tools/get_predictions"),
  ]);
  findingCards("problems", p.problems, "no problems found", p.total);
  findingCards("predictions", q.predictions, "nothing predicted", q.total);
}

export async function loadAudit() {
  const r = await api("/api/v1/tools/audit_log?limit=50");
  const v = document.getElementById("audit-verify");
  v.textContent = r.verification.ok
    ? `chain verified (${r.verification.count})`
    : `chain BROKEN at #${r.verification.seq}`;
  v.className = r.verification.ok ? "pill status-resolved" : "pill status-escalated";
  const rows = [...r.records]
    .sort((a, b) => b.seq - a.seq)
    .map((a) =>
      el(
        "tr",
        { dataset: { action: a.action, result: a.result } },
        el("td", {}, a.seq),
        el("td", { class: "time" }, time(a.time)),
        el("td", {}, a.actor),
        el("td", {}, a.action),
        el("td", {}, ref(a.target)),
        el("td", {}, a.result),
        el("td", { class: "cause" }, a.why ?? ""),
      ),
    );
  document.getElementById("audit").replaceChildren(...rows);
}

export async function loadCharts() {
  const { series } = await api("/api/v1/series");
  const ids = window.opsloopCharts.choose(document.getElementById("series-pick"), series);
  const q = new URLSearchParams(ids.map((id) => ["id", id]));
  const full = ids.length ? (await api(`/api/v1/series?${q}`)).series : [];
  window.opsloopCharts.render(document.getElementById("charts"), full, series.length);
}
