import { formatDuration } from '../lib/format.js';
import { fail } from '../lib/errors.js';

export async function render({ timings, crash = false }) {
  // A nested dynamic import: the chart code is only needed once a report is shown.
  const { sparkline, Histogram } = await import(/* webpackChunkName: "chart" */ './chart.js');
  if (crash) {
    fail('report crashed on purpose', { timings });
  }
  const histogram = new Histogram(timings, 4);
  return [
    `durations: ${timings.map(formatDuration).join(', ')}`,
    `trend: ${sparkline(timings)}`,
    histogram.toString(),
  ].join('\n');
}
