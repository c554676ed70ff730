/** Public surface of the forecasting module. */
export { type ForecastOptions, type ForecastResult, forecast } from "./forecast.ts";
export { coverage, mase, msis, owa, smape } from "./metrics.ts";
export { seasonalNaive } from "./models/seasonal-naive.ts";
export { naive2, thetaM4 } from "./models/theta.ts";
export { detectPeriods, type PeriodResult } from "./periodicity.ts";
export { parseSeriesCsv, type TimeSeries } from "./series-csv.ts";
