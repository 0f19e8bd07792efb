// HdrHistogram helpers: values are recorded in microseconds, reported in ms.
import * as hdr from "hdr-histogram-js";

/** 1 µs … 120 s at 3 significant digits. */
export const HIGHEST_US = 120_000_000;

export function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

/** Record a duration given in ms (clamped to the histogram's range). */
export function recordMs(h: hdr.Histogram, ms: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

export interface TLatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

const ms = (us: number) => Math.round(us) / 1000;

/** Percentiles in ms (3 decimals); zeros when the histogram is empty. */
export function summarize(h: hdr.Histogram): TLatencySummary {
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/** A number from the environment, or `d` when unset or not a number. */
export const envNumber = (v: string | undefined, d: number): number =>
  v && Number.isFinite(Number(v)) ? Number(v) : d;

/** `v` rounded to `d` decimals. */
export const round = (v: number, d = 1): number => Math.round(v * 10 ** d) / 10 ** d;
