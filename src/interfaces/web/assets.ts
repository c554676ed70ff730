/**
 * The dashboard's static files: our HTML/CSS/JS next to this module and uPlot from
 * node_modules, all served by the API server itself so the dashboard works offline (no CDN).
 * A strict Content-Security-Policy allows only same-origin scripts, styles and connections.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Hono } from "hono";

const here = new URL(".", import.meta.url).pathname;
const uplotDir = join(dirname(createRequire(import.meta.url).resolve("uplot")), ".");

const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: join(here, "index.html"), type: "text/html; charset=utf-8" },
  "/app.js": { file: join(here, "app.js"), type: "text/javascript; charset=utf-8" },
  "/charts.js": { file: join(here, "charts.js"), type: "text/javascript; charset=utf-8" },
  "/ui.js": { file: join(here, "ui.js"), type: "text/javascript; charset=utf-8" },
  "/incidents.js": { file: join(here, "incidents.js"), type: "text/javascript; charset=utf-8" },
  "/panels.js": { file: join(here, "panels.js"), type: "text/javascript; charset=utf-8" },
  "/style.css": { file: join(here, "style.css"), type: "text/css; charset=utf-8" },
  "/vendor/uPlot.iife.min.js": {
    file: join(uplotDir, "uPlot.iife.min.js"),
    type: "text/javascript; charset=utf-8",
  },
  "/vendor/uPlot.min.css": {
    file: join(uplotDir, "uPlot.min.css"),
    type: "text/css; charset=utf-8",
  },
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export function mountDashboard(app: Hono, o: { writable: boolean }): void {
  for (const [path, f] of Object.entries(FILES)) {
    // Read once at start-up: a missing file fails the server start, not a page load.
    const body = readFileSync(f.file);
    app.get(path, (c) =>
      c.body(body, 200, {
        "content-type": f.type,
        "content-security-policy": CSP,
        "x-content-type-options": "nosniff",
        "cache-control": "no-cache",
        "x-opsloop-writable": String(o.writable),
      }),
    );
  }
}
