/**
 * Port of NAB v1.1's scorer (`nab/sweeper.py`, commit ea702d7): per-row sweep scores from the
 * label windows, the scaled sigmoid, a corpus-wide threshold sweep and normalisation against the
 * null and perfect detectors. Names follow the Python so the two can be read side by side.
 */

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** One scorable row: its anomaly score, its sweep weight and its window (null = outside). */
export interface AnomalyPoint {
  anomalyScore: number;
  sweepScore: number;
  /** Window id, `null` outside windows, "probationary" inside the probation period. */
  windowName: string | null;
}

export interface ThresholdScore {
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  total: number;
}

export const PROBATION_PERCENT = 0.15;

/** sweeper.py scaledSigmoid: 2σ(−5x) − 1, and −1 beyond three window widths. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1.0;
}

export function probationaryLength(numRows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * numRows), percent * 5000);
}

/** Windows as row-index pairs; the bounds must be timestamps of rows in the file. */
export function windowIndices(
  timestamps: readonly string[],
  windows: readonly (readonly [string, string])[],
): [number, number][] {
  const index = new Map<string, number>();
  timestamps.forEach((t, i) => {
    if (!index.has(t)) index.set(t, i);
  });
  return windows.map(([a, b]) => {
    const l = index.get(a);
    const r = index.get(b);
    if (l === undefined || r === undefined) {
      throw new Error(`window [${a}, ${b}] does not match rows of the file`);
    }
    return [l, r];
  });
}

/** sweeper.py calcSweepScore: the weight every row would earn if it were a detection. */
export function calcSweepScore(
  anomalyScores: readonly number[],
  windows: readonly (readonly [number, number])[],
  cost: CostMatrix,
  fileName: string,
): AnomalyPoint[] {
  const maxTP = scaledSigmoid(-1.0);
  const probation = probationaryLength(anomalyScores.length);
  const pending = [...windows].sort((a, b) => a[0] - b[0]);
  let cur: readonly [number, number] | undefined;
  let prev: readonly [number, number] | undefined;
  const out: AnomalyPoint[] = [];
  for (let i = 0; i < anomalyScores.length; i++) {
    if (cur === undefined && pending[0] !== undefined && pending[0][0] === i) cur = pending.shift();
    let weighted: number;
    let windowName: string | null = null;
    if (cur !== undefined) {
      const width = cur[1] - cur[0] + 1;
      weighted = (scaledSigmoid(-(cur[1] - i + 1) / width) * cost.tpWeight) / maxTP;
      windowName = `${fileName}|${cur[0]}`;
    } else if (prev === undefined) {
      weighted = -1.0 * cost.fpWeight;
    } else {
      const position = Math.abs(prev[1] - i) / (prev[1] - prev[0] + 1 - 1);
      weighted = scaledSigmoid(position) * cost.fpWeight;
    }
    out.push({
      anomalyScore: anomalyScores[i] ?? 0,
      sweepScore: weighted,
      windowName: i >= probation ? windowName : "probationary",
    });
    if (cur !== undefined && cur[1] === i) {
      prev = cur;
      cur = undefined;
    }
  }
  return out;
}

/**
 * sweeper.py calcScoreByThreshold: sweep thresholds from 1.1 down through every distinct score,
 * returning the score and row counts at each.
 */
export function calcScoreByThreshold(anomalyList: readonly AnomalyPoint[], cost: CostMatrix) {
  const scorable = anomalyList.filter((p) => p.windowName !== "probationary");
  // NaN would never equal itself below and the sweep would not advance.
  if (scorable.some((p) => Number.isNaN(p.anomalyScore))) throw new Error("anomaly score is NaN");
  scorable.sort((a, b) => b.anomalyScore - a.anomalyScore);
  const allWindows = new Set<string>();
  for (const p of scorable) if (p.windowName !== null) allWindows.add(p.windowName);
  const total = scorable.length;
  let tn = scorable.filter((p) => p.windowName === null).length;
  let fn = total - tn;
  let tp = 0;
  let fp = 0;
  let fpScore = 0;
  const windowMax = new Map<string, number>();
  const results: ThresholdScore[] = [];
  const undetectedScore = () => {
    let s = fpScore;
    for (const v of windowMax.values()) s += v;
    return s - (allWindows.size - windowMax.size) * cost.fnWeight;
  };
  results.push({ threshold: 1.1, score: undetectedScore(), tp, tn, fp, fn, total });
  let i = 0;
  while (i < scorable.length) {
    const threshold = (scorable[i] as AnomalyPoint).anomalyScore;
    for (; i < scorable.length && (scorable[i] as AnomalyPoint).anomalyScore === threshold; i++) {
      const p = scorable[i] as AnomalyPoint;
      if (p.windowName === null) {
        fp++;
        tn--;
        fpScore += p.sweepScore;
      } else {
        tp++;
        fn--;
        const had = windowMax.get(p.windowName);
        windowMax.set(p.windowName, had === undefined ? p.sweepScore : Math.max(had, p.sweepScore));
      }
    }
    results.push({ threshold, score: undetectedScore(), tp, tn, fp, fn, total });
  }
  return results;
}

/** The first maximum in descending-threshold order, i.e. ties go to the higher threshold. */
export function bestThreshold(results: readonly ThresholdScore[]): ThresholdScore {
  let best = results[0];
  if (best === undefined) throw new Error("no thresholds to choose from");
  for (const r of results) if (r.score > best.score) best = r;
  return best;
}

/** Score and counts of a set of points at one threshold (detection = score ≥ threshold). */
export function scoreAtThreshold(
  anomalyList: readonly AnomalyPoint[],
  threshold: number,
  cost: CostMatrix,
): ThresholdScore {
  const scorable = anomalyList.filter((p) => p.windowName !== "probationary");
  const windows = new Set<string>();
  const windowMax = new Map<string, number>();
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let fpScore = 0;
  for (const p of scorable) {
    const detected = p.anomalyScore >= threshold;
    if (p.windowName === null) {
      if (detected) {
        fp++;
        fpScore += p.sweepScore;
      } else tn++;
      continue;
    }
    windows.add(p.windowName);
    if (!detected) {
      fn++;
      continue;
    }
    tp++;
    windowMax.set(p.windowName, Math.max(windowMax.get(p.windowName) ?? -Infinity, p.sweepScore));
  }
  let score = fpScore - (windows.size - windowMax.size) * cost.fnWeight;
  for (const v of windowMax.values()) score += v;
  return { threshold, score, tp, tn, fp, fn, total: scorable.length };
}

export function normalise(score: number, numWindows: number, cost: CostMatrix): number {
  const nullScore = -cost.fnWeight * numWindows;
  const perfect = cost.tpWeight * numWindows;
  return (100 * (score - nullScore)) / (perfect - nullScore);
}
