import 'uplot/dist/uPlot.min.css';
import './report.css';
import type { PageData } from '../render/report-page-data.js';
import { componentsChart, memoryChart, rateChart } from './charts.js';
import { mountFlameGraph } from './flame-graph.js';
import { el } from './format.js';

/**
 * report.html's script: reads the embedded data and draws the charts and
 * flame graphs into the placeholders the page already has. It never
 * creates markup from strings; every name is set as text.
 */
function main(): void {
  const source = document.getElementById('heaplens-data');
  if (!source?.textContent) return;
  const data = JSON.parse(source.textContent) as PageData;
  for (const t of data.targets) {
    const place = (selector: string): HTMLElement | null => document.querySelector<HTMLElement>(`[${selector}][data-target="${t.id}"]`);
    const memory = place('data-chart="memory"');
    if (memory) memoryChart(memory, t);
    const rate = place('data-chart="rate"');
    if (rate) rateChart(rate, t);
    const components = place('data-chart="components"');
    if (components && !componentsChart(components, t)) components.append(el('p', 'hint', 'No component data.'));
    for (const [kind, graph] of [['peak', t.flame], ['diff', t.diff]] as const) {
      const host = place(`data-flame="${kind}"`);
      if (!host) continue;
      if (graph && graph.value[0]! > 0) mountFlameGraph(host, graph);
      else host.append(el('p', 'hint', graph ? 'The profile holds no bytes.' : 'The profile could not be read from the run directory.'));
    }
  }
  document.body.dataset.ready = 'true';
}

main();
