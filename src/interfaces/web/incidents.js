// Incidents: a server-side page at a time (a thousand load as fast as ten) and the detail pane.
import { api, el, ref, replaceWith, time, toast, token } from "./ui.js";

const PAGE = 50;
export const state = { offset: 0, status: "active", q: "", selected: undefined, total: 0 };
let onChange = () => {};

/** Called after an action from the detail pane, so the whole page refreshes. */
export function afterChange(fn) {
  onChange = fn;
}

export async function loadIncidents() {
  const started = performance.now();
  const q = new URLSearchParams({ offset: String(state.offset), limit: String(PAGE) });
  if (state.status) q.set("status", state.status);
  if (state.q) q.set("q", state.q);
  const page = await api(`/api/v1/incident-summaries?${q}`);
  state.total = page.total;
  const rows = page.items.map((i) =>
    el(
      "tr",
      {
        class: i.id === state.selected ? "selected" : "",
        dataset: { id: i.id, status: i.status, testid: "incident-row" },
        onclick: () => selectIncident(i.id),
      },
      el("td", {}, el("span", { class: `pill status-${i.status}` }, i.status)),
      el("td", {}, el("span", { class: `sev sev-${i.severity}` }, i.severity)),
      el(
        "td",
        {},
        i.title,
        i.lastAction
          ? el("div", { class: "muted" }, `${i.lastAction.action}: ${i.lastAction.result}`)
          : null,
      ),
      el("td", { class: "cause" }, i.rootCause),
      el("td", { class: "time" }, time(i.openedAt)),
    ),
  );
  document.getElementById("incidents").replaceChildren(...rows);
  document.getElementById("incident-total").textContent = `${page.total}`;
  const last = Math.min(state.offset + PAGE, page.total);
  document.getElementById("page").textContent = page.total
    ? `${state.offset + 1}–${last} of ${page.total}`
    : "none";
  const ms = performance.now() - started;
  document.body.dataset.incidentsRenderMs = ms.toFixed(1);
  console.info(
    `opsloop: rendered ${rows.length} of ${page.total} incidents in ${ms.toFixed(1)} ms`,
  );
}

async function selectIncident(id) {
  state.selected = id;
  for (const tr of document.querySelectorAll("#incidents tr"))
    tr.classList.toggle("selected", tr.dataset.id === id);
  await loadDetail();
}

function detailActions(inc) {
  const out = el("div", { class: "buttons" });
  const propose = el(
    "button",
    {
      type: "button",
      onclick: async () => {
        try {
          const p = await api(
            `/api/v1/tools/propose_remediation?incidentId=${encodeURIComponent(inc.id)}`,
          );
          const verdict = p.verdict.allowed
            ? "allowed"
            : `not allowed: ${p.verdict.reasons.join("; ")}`;
          toast(
            p.action ? `${p.runbook}: ${p.action} on ${ref(p.target)} — ${verdict}` : verdict,
            !p.verdict.allowed,
          );
        } catch (e) {
          toast(e.message, true);
        }
      },
    },
    "Propose remediation",
  );
  out.append(propose);
  if (token)
    out.append(
      el(
        "button",
        {
          type: "button",
          class: "danger",
          onclick: async (ev) => {
            if (!confirm(`Run the runbook for "${inc.title}" through the guardrails?`)) return;
            ev.target.disabled = true;
            try {
              const r = await api("/api/v1/tools/execute_remediation", {
                method: "POST",
                body: { incidentId: inc.id, confirm: true },
              });
              toast(r.actions.map((a) => `${a.action}: ${a.result}`).join(", ") || "nothing to do");
            } catch (e) {
              toast(e.message, true);
            } finally {
              ev.target.disabled = false;
              onChange();
            }
          },
        },
        "Execute remediation",
      ),
    );
  return out;
}

/** A share (0..1) as a percentage; a score with at most two decimals. */
const pct = (x) => (typeof x === "number" ? `${Math.round(x * 100)}%` : "–");
const num = (x) => (typeof x === "number" ? String(Number(x.toFixed(2))) : "–");

/**
 * The incident's ranked root-cause hypotheses as stored (best first): suspects, not findings.
 * The API redacts them; like everything else they are inserted as text.
 */
function hypotheses(list) {
  if (!list?.length)
    return el(
      "p",
      { class: "muted", "data-testid": "hypotheses-empty" },
      "No hypotheses ranked for this incident.",
    );
  return el(
    "ol",
    { class: "hypotheses", "data-testid": "hypotheses" },
    ...list.map((h, i) =>
      el(
        "li",
        { dataset: { testid: "hypothesis", rank: String(i + 1), entity: ref(h.entity) } },
        el("span", { class: "rank" }, `#${i + 1}`),
        " ",
        el("b", { class: "suspect" }, ref(h.entity)),
        " ",
        el(
          "span",
          { class: "muted score" },
          `confidence ${pct(h.confidence)} · score ${num(h.score)}`,
        ),
        el("div", { class: "cause" }, h.cause),
        h.explains?.length
          ? el("div", { class: "muted" }, `explains ${h.explains.map(ref).join(", ")}`)
          : null,
        h.evidence?.length
          ? el(
              "ul",
              { class: "evidence" },
              ...h.evidence.map((ev) => el("li", {}, el("code", {}, ev.type), " ", ev.text)),
            )
          : null,
      ),
    ),
  );
}

export async function loadDetail() {
  const box = document.getElementById("detail");
  if (!state.selected) return;
  let d;
  try {
    d = await api(`/api/v1/incidents/${encodeURIComponent(state.selected)}`);
  } catch (e) {
    box.replaceChildren(el("p", { class: "muted" }, e.message));
    return;
  }
  const inc = d.incident;
  replaceWith(box, [
    el("h3", {}, inc.title),
    el(
      "p",
      {},
      el(
        "span",
        { class: `pill status-${inc.status}`, "data-testid": "detail-status" },
        inc.status,
      ),
      " ",
      el("span", { class: `sev sev-${inc.severity}` }, inc.severity),
      " ",
      ref(inc.subject),
    ),
    el("h4", {}, "Root cause"),
    el("p", { class: "cause", "data-testid": "root-cause" }, inc.rootCause),
    detailActions(inc),
    el("h4", {}, "Root-cause hypotheses ", el("span", { class: "pill hypo" }, "unconfirmed")),
    hypotheses(inc.hypotheses),
    el("h4", {}, "Timeline"),
    el(
      "ol",
      { class: "timeline", "data-testid": "timeline" },
      ...d.timeline.map((t) =>
        el(
          "li",
          {},
          el("span", { class: "time" }, time(t.time)),
          " ",
          el("b", {}, t.what),
          t.detail ? el("div", { class: "muted" }, t.detail) : null,
        ),
      ),
    ),
    el("h4", {}, "Evidence"),
    el(
      "ul",
      { class: "evidence" },
      ...inc.findings
        .slice(0, 5)
        .flatMap((f) =>
          f.evidence.slice(0, 4).map((ev) => el("li", {}, el("code", {}, ev.type), " ", ev.text)),
        ),
    ),
    inc.actions.length ? el("h4", {}, "Actions") : null,
    inc.actions.length
      ? el(
          "ul",
          { "data-testid": "actions" },
          ...inc.actions.map((a) =>
            el(
              "li",
              { dataset: { result: a.result } },
              `${time(a.time)} ${a.runbook}: ${a.action} on ${ref(a.target)} — ${a.verdict}, ${a.result}`,
              a.reasons.length ? el("div", { class: "muted" }, a.reasons.join("; ")) : null,
            ),
          ),
        )
      : null,
  ]);
}

export function wireIncidents() {
  document.getElementById("status-filter").addEventListener("change", (e) => {
    state.status = e.target.value;
    state.offset = 0;
    loadIncidents();
  });
  let typing;
  document.getElementById("search").addEventListener("input", (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.q = e.target.value.trim();
      state.offset = 0;
      loadIncidents();
    }, 200);
  });
  document.getElementById("prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE);
    loadIncidents();
  });
  document.getElementById("next").addEventListener("click", () => {
    if (state.offset + PAGE < state.total) state.offset += PAGE;
    loadIncidents();
  });
}
