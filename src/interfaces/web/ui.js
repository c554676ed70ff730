// Shared helpers for the dashboard modules. Cluster-provided text is untrusted, so everything
// is inserted with textContent (never innerHTML).

export const token = (() => {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) {
    sessionStorage.setItem("opsloop-token", decodeURIComponent(m[1]));
    // Keep the token out of the address bar and history once read.
    history.replaceState(null, "", location.pathname);
  }
  return sessionStorage.getItem("opsloop-token");
})();

export function el(tag, props, ...children) {
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
export function replaceWith(parent, children) {
  parent.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

export async function api(path, opts = {}) {
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

export function toast(text, bad) {
  const t = document.getElementById("toast");
  t.textContent = text;
  t.className = bad ? "toast show bad" : "toast show";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    t.className = "toast";
  }, 4000);
}

export const time = (ms) =>
  ms === undefined ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19);
export const ref = (r) => (r ? `${r.kind}/${r.namespace ? `${r.namespace}/` : ""}${r.name}` : "");

export function duration(ms) {
  if (ms === undefined || ms === null) return "–";
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}
