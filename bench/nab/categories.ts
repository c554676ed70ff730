// Per-category raw standard-profile score of EnsembleDetector at its corpus-optimal threshold:
// OPTS='{"key":value}' node bench/nab/categories.ts (compare two option sets to see where a change helps).
import { loadCorpus, scoreCorpus } from "../../src/detect/nab/corpus.ts";
import { calcSweepScore, scoreAtThreshold } from "../../src/detect/nab/sweeper.ts";
import { detectorScores } from "./detector-scores.ts";

const opts = JSON.parse(process.env.OPTS ?? "{}");
const c = loadCorpus();
const m = detectorScores(c, opts);
const r = scoreCorpus(c, m);
const byCat = new Map<string, { score: number; tp: number; fp: number }>();
for (const f of c.files) {
  const pts = calcSweepScore(m.get(f.key) ?? [], f.windows, c.profiles.standard, f.key);
  const s = scoreAtThreshold(pts, r.standard.threshold, c.profiles.standard);
  const cat = f.key.split("/")[0] ?? "";
  const acc = byCat.get(cat) ?? { score: 0, tp: 0, fp: 0 };
  acc.score += s.score;
  acc.tp += s.tp;
  acc.fp += s.fp;
  byCat.set(cat, acc);
}
for (const [cat, x] of byCat)
  console.log(cat.padEnd(24), x.score.toFixed(2), "tp", x.tp, "fp", x.fp);
