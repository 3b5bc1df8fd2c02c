import { sankey } from 'd3-sankey';
const sources = Array.from({ length: 1200 }, (_, i) => `s${i}`);
const targets = Array.from({ length: 280 }, (_, i) => `t${i}`);
const links: any[] = [];
const seen = new Set();
sources.forEach((s, i) => { for (let k = 0; k < 9; k++) { const t = targets[(i / 5 + k * 3) % 280 | 0]; if (!seen.has(s + t)) { seen.add(s + t); links.push({ source: s, target: t, value: 5 + (i * k) % 20 }); } } });
const nodes = [...sources, ...targets].map(id => ({ id }));
for (const it of [0, 1, 6]) {
  const t = performance.now();
  sankey<any, any>().nodeId((n: any) => n.id).nodeSort(null).iterations(it).extent([[470, 90], [1130, 90 + 1200 * 46]])({ nodes: nodes.map(n => ({ ...n })), links: links.map(l => ({ ...l })) });
  console.log('iterations', it, performance.now() - t);
}
