// opsloop dashboard: plain browser JavaScript modules, no build step.
import { afterChange, loadDetail, loadIncidents, wireIncidents } from "./incidents.js";
import {
  afterDecision,
  loadApprovals,
  loadAudit,
  loadCharts,
  loadFindings,
  loadRoi,
} from "./panels.js";
import { token } from "./ui.js";

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
  wireIncidents();
  document.getElementById("series-pick").addEventListener("change", loadCharts);
  afterChange(refresh);
  afterDecision(refresh);
}

wire();
connect();
refresh();
// Charts and figures move with every scrape; events only cover incidents and actions.
setInterval(refresh, 5000);
