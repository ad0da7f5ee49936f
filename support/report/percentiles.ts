/**
 * Percentiles through HdrHistogram (3 significant digits: exact below 2,048, within 0.1% above).
 *
 * HdrHistogram records only values >= 0, and some of ours are signed (a session may close a little before
 * its expected instant; agent clocks may trail the harness's). A set with negative values is shifted by its
 * minimum before recording and shifted back when read, so signs come out as measured. A percentile is
 * never reported above the maximum (HdrHistogram returns the top of a value's bucket).
 */
import * as hdr from "hdr-histogram-js";

export interface Percentiles {
  count: number;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, min: null, p50: null, p90: null, p99: null, max: null };
  const whole = values.map((v) => Math.round(v));
  const offset = Math.min(0, ...whole);
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
    numberOfSignificantValueDigits: 3,
  });
  for (const value of whole) histogram.recordValue(value - offset);
  const max = Math.max(...whole);
  const at = (p: number) => Math.min(histogram.getValueAtPercentile(p) + offset, max);
  const result = {
    count: histogram.totalCount,
    min: Math.min(...whole),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max,
  };
  histogram.destroy();
  return result;
}
