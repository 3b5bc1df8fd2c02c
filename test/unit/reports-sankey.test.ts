import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { flowsSvg } from '../../src/reports/sankey.js';
import type { FlowsReport } from '../../src/reports/flows.js';

function report(flows: FlowsReport['flows'], minCell = 5): FlowsReport {
  const ids = [...new Set(flows.flatMap((f) => [f.source, f.target]))];
  return {
    cohort: '2025-2026', generatedAt: '2026-10-01T00:00:00.000Z', suppressed: flows.some((f) => f.count === null), minCell,
    nodes: ids.map((id) => ({ id, label: id.startsWith('mbo:') || id === 'onbekend' ? `doel ${id}` : `School <${id}> & co`, side: id.startsWith('mbo:') || id === 'onbekend' ? 'target' : 'source' })),
    flows,
    totals: { pupils: null, bySource: {}, byTarget: {} },
  };
}

const bands = (svg: string) => [...svg.matchAll(/<path class="band" data-source="([^"]*)" data-target="([^"]*)" data-count="(\d+)"/g)].map((m) => `${m[1]}>${m[2]}=${m[3]}`);

describe('flowsSvg', () => {
  const flows = [
    { source: '11AA00', target: 'mbo:33CC:4', count: 40 },
    { source: '11AA00', target: 'onbekend', count: null },
    { source: '22BB00', target: 'mbo:33CC:4', count: 12 },
    { source: '22BB00', target: 'mbo:44DD:2', count: 0 },
    { source: '22BB00', target: 'onbekend', count: 7 },
  ];

  it('is well-formed XML with a title, and escapes names', () => {
    const svg = flowsSvg(report(flows));
    expect(XMLValidator.validate(svg)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg);
    expect(parsed.svg.title).toBe('Bestemming na het vmbo, cohort 2025-2026');
    expect(parsed.svg.width).toBe('1600');
    expect(svg).toContain('School &lt;11AA00&gt; &amp; co');
  });

  it('draws one band per non-empty flow, leaving out hidden and empty ones', () => {
    expect(bands(flowsSvg(report(flows))).sort()).toEqual(['11AA00>mbo:33CC:4=40', '22BB00>mbo:33CC:4=12', '22BB00>onbekend=7']);
  });

  it('says how many hidden flows were left out', () => {
    expect(flowsSvg(report(flows))).toContain('1 stroom van minder dan 5 leerlingen weggelaten');
  });

  it('writes labels large enough for a projector and bands as wide as their pupils', () => {
    const svg = flowsSvg(report(flows));
    expect(Number(/font-size="(\d+)"/.exec(svg)![1])).toBeGreaterThanOrEqual(18);
    const width = (count: number) => Number(new RegExp(`data-count="${count}"[^>]*stroke-width="([\\d.]+)"`).exec(svg)![1]);
    expect(width(40) / width(12)).toBeCloseTo(40 / 12, 1);
  });

  it('grows in height with the number of nodes so labels do not overlap', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ source: `${String(i).padStart(2, '0')}AA00`, target: 'mbo:33CC:4', count: 5 }));
    const height = Number(/height="(\d+)"/.exec(flowsSvg(report(many)))![1]);
    expect(height).toBeGreaterThan(60 * 20);
  });

  it('draws an empty diagram when there is nothing to show', () => {
    const svg = flowsSvg(report([{ source: '11AA00', target: 'onbekend', count: null }]));
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(bands(svg)).toEqual([]);
  });
});
