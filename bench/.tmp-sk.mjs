import { sankey } from 'd3-sankey';
const sources = Array.from({ length: 1200 }, (_, i) => `s${i}`);
const targets = Array.from({ length: 280 }, (_, i) => `t${i}`);
const links = []; const seen = new Set();
sources.forEach((s, i) => { for (let k = 0; k < 9; k++) { const t = targets[(i / 5 + k * 3) % 280 | 0]; if (!seen.has(s + t)) { seen.add(s + t); links.push({ source: s, target: t, value: 5 + (i * k) % 20 }); } } });
const nodes = [...sources, ...targets].map(id => ({ id }));
for (const it of [0, 6]) {
  const c0 = process.cpuUsage(); const t = performance.now();
  sankey().nodeId(n => n.id).nodeSort(null).linkSort(null).iterations(it).extent([[470, 90], [1130, 90 + 1200 * 46]])({ nodes: nodes.map(n => ({ ...n })), links: links.map(l => ({ ...l })) });
  const c = process.cpuUsage(c0);
  console.log('iterations', it, 'wall', (performance.now() - t).toFixed(0), 'cpu', ((c.user + c.system) / 1000).toFixed(0), links.length);
}
