import { flowsSvg } from '../src/reports/sankey.js';
const sources = Array.from({ length: 1200 }, (_, i) => `${String(i % 100).padStart(2, '0')}A${String.fromCharCode(65 + (i / 100 | 0))}00`);
const targets = Array.from({ length: 280 }, (_, i) => `mbo:${String(i % 70).padStart(2, '0')}ZM:${1 + (i / 70 | 0)}`);
const flows = sources.flatMap((s, i) => Array.from({ length: 9 }, (_, k) => ({ source: s, target: targets[(i / 5 + k * 3) % 280 | 0]!, count: 5 + (i * k) % 20 })));
const uniq = new Map(flows.map(f => [`${f.source}>${f.target}`, f]));
const report = { cohort: '2025-2026', generatedAt: '', suppressed: false, minCell: 5, nodes: [...sources.map(id => ({ id, label: id, side: 'source' as const })), ...targets.map(id => ({ id, label: id, side: 'target' as const }))], flows: [...uniq.values()], totals: { pupils: 0, bySource: {}, byTarget: {} } };
const t = performance.now(); flowsSvg(report); console.log('svg ms', performance.now() - t, report.flows.length);
