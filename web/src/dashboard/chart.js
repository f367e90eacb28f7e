// The daily chart: one line per platform over the window's days (uPlot, bundled).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#b45309', '#2563eb', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
const DAY = 86400;

// Every day from `from` to `to` (YYYY-MM-DD, inclusive) as Unix seconds at UTC midnight.
function days(from, to) {
  const out = [];
  for (let t = Date.parse(`${from}T00:00:00Z`) / 1000; t <= Date.parse(`${to}T00:00:00Z`) / 1000; t += DAY) out.push(t);
  return out;
}

export class DailyChart {
  constructor(element) {
    this.element = element;
    this.plot = null;
    this.platforms = '';
  }

  // rows: [{ date, platform, value }] (several rows of one day and platform add up).
  render(rows, from, to) {
    const xs = days(from, to);
    const index = new Map(xs.map((t, i) => [new Date(t * 1000).toISOString().slice(0, 10), i]));
    const platforms = [...new Set(rows.map((r) => r.platform))].sort();
    const series = platforms.map(() => xs.map(() => 0));
    let total = 0;
    for (const row of rows) {
      const i = index.get(row.date);
      if (i === undefined || row.value == null) continue;
      series[platforms.indexOf(row.platform)][i] += row.value;
      total += row.value;
    }
    // What is drawn, summed: the browser test compares it with the database.
    this.element.dataset.total = String(total);
    this.element.dataset.platforms = platforms.join(',');
    const data = [xs, ...series];
    if (this.plot && this.platforms === platforms.join(',')) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.platforms = platforms.join(',');
    this.plot = new uPlot(
      {
        width: Math.max(320, this.element.clientWidth),
        height: 240,
        scales: { x: { time: true } },
        legend: { live: false },
        axes: [{}, { size: 70, values: (_, ticks) => ticks.map((v) => v.toLocaleString('en-US')) }],
        series: [
          {},
          ...platforms.map((platform, i) => ({
            label: platform,
            stroke: COLORS[i % COLORS.length],
            width: 2,
            points: { show: false },
          })),
        ],
      },
      data,
      this.element,
    );
  }

  resize() {
    this.plot?.setSize({ width: Math.max(320, this.element.clientWidth), height: 240 });
  }
}
