// Quick DEV evaluation: OPTS='{"...":..}' node bench/nab/eval.ts
import { loadCorpus, scoreCorpus } from "../../src/detect/nab/corpus.ts";
import { detectorScores } from "./detector-scores.ts";

const opts = JSON.parse(process.env.OPTS ?? "{}");
const c = loadCorpus();
const t0 = performance.now();
const m = detectorScores(c, opts);
const dt = performance.now() - t0;
const r = scoreCorpus(c, m);
console.log(
  Object.values(r)
    .map((x) => x.normalised.toFixed(2))
    .join(" / "),
  `${Math.round((181653 / dt) * 1000)} pts/s`,
  JSON.stringify(opts),
);
if (process.env.V) for (const [k, x] of Object.entries(r)) console.log(k, x.threshold, x.tp, x.fp);
if (process.env.V) {
  const { calcSweepScore, scoreAtThreshold } = await import("../../src/detect/nab/sweeper.ts");
  const th = r.standard.threshold;
  for (const f of c.files) {
    const pts = calcSweepScore(m.get(f.key) ?? [], f.windows, c.profiles.standard, f.key);
    const s = scoreAtThreshold(pts, th, c.profiles.standard);
    const sc = m.get(f.key) ?? [];
    let mi = 0;
    for (let i = 0; i < sc.length; i++) if ((sc[i] ?? 0) > (sc[mi] ?? 0)) mi = i;
    console.log(
      f.key.padEnd(60),
      f.windows.length,
      s.score.toFixed(2),
      "tp",
      s.tp,
      "fp",
      s.fp,
      "max",
      (sc[mi] ?? 0).toFixed(4),
      "at",
      mi,
      JSON.stringify(f.windows),
    );
  }
}
