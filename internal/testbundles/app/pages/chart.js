const bars = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export const sparkline = (values) => {
  const min = Math.min(...values);
  const span = Math.max(...values) - min || 1;
  return values.map((v) => bars[Math.round(((v - min) / span) * (bars.length - 1))]).join('');
};

export class Histogram {
  constructor(values, buckets) {
    const max = Math.max(...values);
    this.counts = Array.from({ length: buckets }, () => 0);
    for (const v of values) {
      this.counts[Math.min(buckets - 1, Math.floor((v / (max || 1)) * buckets))]++;
    }
  }

  toString() {
    return this.counts.map((n, i) => `bucket ${i}: ${'🟦'.repeat(n)}`).join('\n');
  }
}
