// opsloop dashboard: plain browser JavaScript, no build step. Cluster-provided text is untrusted,
// so everything is inserted with textContent (never innerHTML).

const PAGE = 50;
const state = { offset: 0, status: "active", q: "", selected: undefined, total: 0 };

const token = (() => {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) {
    sessionStorage.setItem("opsloop-token", decodeURIComponent(m[1]));
    // Keep the token out of the address bar and history once read.
    history.replaceState(null, "", location.pathname);
  }
  return sessionStorage.getItem("opsloop-token");
})();

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** replaceChildren without the `null` placeholders of optional parts (it would print "null"). */
function replaceWith(parent, children) {
  parent.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

async function api(path, opts = {}) {
  const headers = { accept: "application/json" };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (token && opts.method === "POST") headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, {
    method: opts.method ?? "GET",
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok)
    throw Object.assign(new Error(body.detail ?? `HTTP ${res.status}`), { status: res.status });
  return body;
}

function toast(text, bad) {
  const t = document.getElementById("toast");
  t.textContent = text;
  t.className = bad ? "toast show bad" : "toast show";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    t.className = "toast";
  }, 4000);
}

const time = (ms) =>
  ms === undefined ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19);
const ref = (r) => (r ? `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}` : "");

function duration(ms) {
  if (ms === undefined || ms === null) return "–";
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

async function loadRoi() {
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

async function loadIncidents() {
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
              refresh();
            }
          },
        },
        "Execute remediation",
      ),
    );
  return out;
}

async function loadDetail() {
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

async function decide(id, verb) {
  try {
    const body =
      verb === "reject" ? { reason: prompt("Why reject?") || "rejected in the dashboard" } : {};
    await api(`/api/v1/approvals/${encodeURIComponent(id)}/${verb}`, { method: "POST", body });
    toast(`${verb === "approve" ? "approved" : "rejected"}`);
  } catch (e) {
    toast(e.message, true);
  }
  refresh();
}

async function loadApprovals() {
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

function findingCards(listId, findings, empty) {
  const list = document.getElementById(listId);
  if (!findings.length) {
    list.replaceChildren(el("li", { class: "muted" }, empty));
    return;
  }
  list.replaceChildren(
    ...findings
      .slice(0, 100)
      .map((f) =>
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
  );
}

async function loadFindings() {
  const [p, q] = await Promise.all([
    api("/api/v1/tools/list_problems"),
    api("/api/v1/tools/get_predictions"),
  ]);
  findingCards("problems", p.problems, "no problems found");
  findingCards("predictions", q.predictions, "nothing predicted");
}

async function loadAudit() {
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

async function loadCharts() {
  const { series } = await api("/api/v1/series");
  const ids = window.opsloopCharts.choose(document.getElementById("series-pick"), series);
  const q = new URLSearchParams(ids.map((id) => ["id", id]));
  const full = ids.length ? (await api(`/api/v1/series?${q}`)).series : [];
  window.opsloopCharts.render(document.getElementById("charts"), full, series.length);
}

const loaders = [
  loadRoi,
  loadIncidents,
  loadDetail,
  loadApprovals,
  loadFindings,
  loadAudit,
  loadCharts,
];
let refreshing = false;
let again = false;

async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    const results = await Promise.allSettled(loaders.map((f) => f()));
    const failed = results.find((x) => x.status === "rejected");
    if (failed) console.warn("opsloop:", failed.reason);
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

let pending;
function soon() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 250);
}

function connect() {
  const live = document.getElementById("live");
  const es = new EventSource("/api/v1/stream");
  es.onopen = () => {
    live.textContent = "live";
    live.className = "pill status-resolved";
  };
  es.onerror = () => {
    live.textContent = "reconnecting…";
    live.className = "pill status-escalated";
  };
  for (const ev of ["incident", "action", "change"]) es.addEventListener(ev, soon);
}

function wire() {
  const mode = document.getElementById("mode");
  mode.textContent = token ? "write enabled" : "read-only";
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
  document.getElementById("series-pick").addEventListener("change", loadCharts);
}

wire();
connect();
refresh();
// Charts and figures move with every scrape; events only cover incidents and actions.
setInterval(refresh, 5000);
