import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from 'd3-sankey';
import type { FlowsReport } from './flows.js';

/**
 * The flows as a Sankey diagram for a projector: schools on the left, destinations on the
 * right, band width = pupils. d3-sankey computes the layout; this file only writes the SVG.
 *
 * Suppressed flows (count null) are left out, not merged into an "overig (<5)" band: a merged
 * band of one suppressed flow would show its size after all. A footnote says how many were
 * left out, and node sizes follow the visible bands only, so no bar gives them away either.
 */

export const SVG_CONTENT_TYPE = 'image/svg+xml; charset=utf-8';

const WIDTH = 1600;
const FONT_SIZE = 20;
const NODE_WIDTH = 24;
const NODE_GAP = 14;
/** Room for one label per node at this font size, so labels never overlap. */
const ROW_HEIGHT = FONT_SIZE * 1.6 + NODE_GAP;
const LABEL_WIDTH = 470;
const TOP = 90;
const BOTTOM = 60;
/**
 * Above this many bands d3-sankey's relaxation passes cost seconds (it re-sorts every
 * neighbour's links per node per pass) and, with the node order fixed, barely move anything:
 * the initial layout is used as it is.
 */
const RELAX_MAX_LINKS = 1000;

interface NodeExtra {
  id: string;
  label: string;
  side: 'source' | 'target';
}
interface LinkExtra {
  count: number;
}
type Node = SankeyNode<NodeExtra, LinkExtra>;
type Link = SankeyLink<NodeExtra, LinkExtra>;

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Colour by kind of destination: mbo by niveau, other schooling green, the unknown red. */
function colourOf(target: string): string {
  if (target.startsWith('mbo:')) {
    const niveau = target.split(':')[2];
    return { '1': '#9ecae1', '2': '#6baed6', '3': '#3182bd', '4': '#08519c' }[niveau ?? ''] ?? '#7f7f7f';
  }
  return (
    { havo_vwo: '#31a354', vo: '#74c476', buitenland: '#9e9ac8', werk: '#fd8d3c', vrijstelling: '#bdbdbd', overig: '#969696' }[
      target
    ] ?? '#d62728'
  );
}

const round = (n: number) => Math.round(n * 10) / 10;
/** What fits beside a node at FONT_SIZE; the band tooltips keep the full names. */
const MAX_LABEL = 36;
/** Shortens the name, never the code and leerweg after it: "Vakcollege Zuid met e… (33XX00), KB". */
function fit(label: string): string {
  if (label.length <= MAX_LABEL) return label;
  const cut = label.indexOf(' (');
  const tail = cut > 0 ? label.slice(cut) : '';
  const head = cut > 0 ? label.slice(0, cut) : label;
  return `${head.slice(0, Math.max(8, MAX_LABEL - tail.length - 1))}…${tail}`;
}

export function flowsSvg(report: FlowsReport): string {
  const visible = report.flows.filter((f): f is typeof f & { count: number } => f.count !== null && f.count > 0);
  const hidden = report.flows.filter((f) => f.count === null).length;
  const used = new Set(visible.flatMap((f) => [f.source, f.target]));
  const nodes = report.nodes.filter((n) => used.has(n.id));
  const perSide = Math.max(nodes.filter((n) => n.side === 'source').length, nodes.filter((n) => n.side === 'target').length);
  const height = Math.max(900, TOP + BOTTOM + perSide * ROW_HEIGHT);
  const title = `Bestemming na het vmbo, cohort ${report.cohort}`;

  const parts: string[] = [];
  if (visible.length) {
    const layout = sankey<NodeExtra, LinkExtra>()
      .nodeId((n) => n.id)
      .nodeWidth(NODE_WIDTH)
      .nodePadding(NODE_GAP)
      .nodeSort(null)
      .iterations(visible.length > RELAX_MAX_LINKS ? 0 : 6)
      .extent([
        [LABEL_WIDTH, TOP],
        [WIDTH - LABEL_WIDTH, height - BOTTOM],
      ]);
    const graph = layout({
      nodes: nodes.map((n) => ({ ...n })),
      links: visible.map((f) => ({ source: f.source, target: f.target, value: f.count, count: f.count })),
    });
    const path = sankeyLinkHorizontal<NodeExtra, LinkExtra>();
    const nameOf = (n: Node | string | number) => (typeof n === 'object' ? n.label : String(n));
    const idOf = (n: Node | string | number) => (typeof n === 'object' ? n.id : String(n));
    parts.push('<g fill="none" stroke-opacity="0.45">');
    for (const link of graph.links as Link[]) {
      const target = idOf(link.target);
      parts.push(
        `<path class="band" data-source="${escapeXml(idOf(link.source))}" data-target="${escapeXml(target)}" ` +
          `data-count="${link.count}" d="${path(link) ?? ''}" stroke="${colourOf(target)}" ` +
          `stroke-width="${round(Math.max(1, link.width ?? 1))}"><title>${escapeXml(
            `${nameOf(link.source)} → ${nameOf(link.target)}: ${link.count}`,
          )}</title></path>`,
      );
    }
    parts.push('</g>');
    for (const node of graph.nodes as Node[]) {
      const x0 = node.x0 ?? 0;
      const x1 = node.x1 ?? 0;
      const y0 = node.y0 ?? 0;
      const y1 = node.y1 ?? 0;
      const source = node.side === 'source';
      const fill = source ? '#4d4d4d' : colourOf(node.id);
      parts.push(
        `<rect class="node" data-id="${escapeXml(node.id)}" x="${round(x0)}" y="${round(y0)}" width="${round(x1 - x0)}" ` +
          `height="${round(Math.max(1, y1 - y0))}" fill="${fill}"/>`,
        `<text x="${round(source ? x0 - 10 : x1 + 10)}" y="${round((y0 + y1) / 2)}" dy="0.35em" ` +
          `text-anchor="${source ? 'end' : 'start'}">${escapeXml(`${fit(node.label)} (${node.value ?? 0})`)}</text>`,
      );
    }
  } else {
    parts.push(`<text x="${WIDTH / 2}" y="${height / 2}" text-anchor="middle">Geen leerlingen om te tonen</text>`);
  }
  const notes = [`${visible.reduce((n, f) => n + f.count, 0)} leerlingen in de getoonde stromen`];
  if (hidden) notes.push(`${hidden} ${hidden === 1 ? 'stroom' : 'stromen'} van minder dan ${report.minCell} leerlingen weggelaten (privacy)`);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      `font-family="Arial, Helvetica, sans-serif" font-size="${FONT_SIZE}" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    `<text x="${WIDTH / 2}" y="48" text-anchor="middle" font-size="32" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    `<text x="${WIDTH / 2}" y="${height - 20}" text-anchor="middle" fill="#555555">${escapeXml(notes.join(' · '))}</text>`,
    '</svg>',
  ].join('\n');
}
