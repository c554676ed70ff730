// Memory charts with uPlot (served locally from node_modules): working set, baseline band
// (±2σ), forecast to the limit, anomaly markers and the limit itself.

(() => {
  const MAX_CHARTS = 4;
  const charts = new Map();
  const MiB = 1024 * 1024;

  function columns(s) {
    const pts = s.points;
    const fc = s.forecast ?? [];
    const xs = pts.map((p) => p.t / 1000);
    const end = fc.length ? fc[fc.length - 1] : undefined;
    const withEnd = end && end.t / 1000 > (xs[xs.length - 1] ?? 0);
    if (withEnd) xs.push(end.t / 1000);
    const pad = (arr) => (withEnd ? [...arr, null] : arr);
    const anomalies = new Map(s.anomalies.map((a) => [a.t, a.v]));
    const forecast = xs.map((_, i) => {
      if (!fc.length) return null;
      if (i === pts.length - 1) return fc[0].v / MiB;
      if (withEnd && i === xs.length - 1) return end.v / MiB;
      return null;
    });
    return [
      xs,
      pad(pts.map((p) => p.v / MiB)),
      pad(pts.map((p) => Math.max(0, p.lower) / MiB)),
      pad(pts.map((p) => p.upper / MiB)),
      forecast,
      pad(pts.map((p) => (anomalies.has(p.t) ? p.v / MiB : null))),
      xs.map(() => (s.limit ? s.limit / MiB : null)),
    ];
  }

  /**
   * Says on the chart's box what it draws (values per series), so a test or a user's tooling can
   * tell a chart with a band, a forecast and anomaly markers from an empty one.
   */
  function mark(box, cols) {
    const drawn = (col) => String(col.filter((v) => v !== null && v !== undefined).length);
    box.dataset.points = drawn(cols[1]);
    box.dataset.band = drawn(cols[3]);
    box.dataset.forecast = drawn(cols[4]);
    box.dataset.anomalies = drawn(cols[5]);
  }

  function make(target, s) {
    const opts = {
      title: `${s.labels.namespace}/${s.labels.pod} · ${s.labels.container}`,
      width: Math.max(320, target.clientWidth - 16),
      height: 220,
      scales: { x: { time: true } },
      legend: { show: false },
      axes: [{}, { label: "MiB", size: 60 }],
      series: [
        {},
        { label: "working set", stroke: "#2b6cb0", width: 2 },
        { label: "baseline low", stroke: "rgba(72,187,120,0.4)" },
        { label: "baseline high", stroke: "rgba(72,187,120,0.4)" },
        { label: "forecast", stroke: "#dd6b20", dash: [6, 4], spanGaps: true },
        {
          label: "anomaly",
          stroke: "#e53e3e",
          paths: () => null,
          points: { show: true, size: 8, fill: "#e53e3e" },
        },
        { label: "limit", stroke: "#718096", dash: [2, 3] },
      ],
      bands: [{ series: [3, 2], fill: "rgba(72,187,120,0.15)" }],
    };
    const cols = columns(s);
    mark(target, cols);
    return new uPlot(opts, cols, target);
  }

  function pickDefaults(series) {
    // The interesting ones first: heading for the limit (soonest first), then anomalies.
    const rank = (s) => (s.reachesLimitAt ? 0 : s.anomalies ? 1 : 2);
    return [...series]
      .sort(
        (a, b) =>
          rank(a) - rank(b) ||
          (a.reachesLimitAt ?? 0) - (b.reachesLimitAt ?? 0) ||
          a.id.localeCompare(b.id),
      )
      .slice(0, MAX_CHARTS)
      .map((s) => s.id);
  }

  /** Keeps the picker in step with the series summaries; returns the ids to draw. */
  function choose(picker, series) {
    const have = new Set([...picker.options].map((o) => o.value));
    const ids = series.map((s) => s.id);
    if (ids.length !== have.size || !ids.every((id) => have.has(id))) {
      const selected = new Set([...picker.selectedOptions].map((o) => o.value));
      const defaults = selected.size ? selected : new Set(pickDefaults(series));
      picker.replaceChildren(
        ...series.map((s) => {
          const o = document.createElement("option");
          o.value = s.id;
          o.textContent = s.reachesLimitAt ? `${s.id} (heading for its limit)` : s.id;
          o.selected = defaults.has(s.id);
          return o;
        }),
      );
      picker.size = Math.min(6, Math.max(1, series.length));
    }
    return [...picker.selectedOptions].map((o) => o.value).slice(0, MAX_CHARTS);
  }

  function render(container, series, available) {
    const wanted = new Set(series.map((s) => s.id));
    if (!available) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = "no samples yet";
      container.replaceChildren(p);
      for (const c of charts.values()) c.plot.destroy();
      charts.clear();
      return;
    }
    container.querySelector("p.muted")?.remove();
    for (const [id, c] of charts)
      if (!wanted.has(id)) {
        c.plot.destroy();
        c.box.remove();
        charts.delete(id);
      }
    for (const s of series) {
      const have = charts.get(s.id);
      if (have) {
        const cols = columns(s);
        mark(have.box, cols);
        have.plot.setData(cols);
        continue;
      }
      const box = document.createElement("div");
      box.className = "chart";
      box.dataset.series = s.id;
      container.append(box);
      charts.set(s.id, { box, plot: make(box, s) });
    }
  }

  window.opsloopCharts = { choose, render };
})();
