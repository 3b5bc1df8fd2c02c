import { writeFileSync } from 'node:fs';
import { flowsSvg } from '../src/reports/sankey.js';
const schools = ['11AA00','11AA01','22BB00','33XX00','44YY01'];
const names: Record<string,string> = {'11AA00':'De Brug Centrum','11AA01':'De Brug Noord','22BB00':'Het Anker','33XX00':'Vakcollege Zuid met een lange naam','44YY01':'Mavo West'};
const targets = ['mbo:33CC:4','mbo:33CC:3','mbo:33CC:2','mbo:44DD:2','mbo:44DD:1','havo_vwo','werk','onbekend'];
const tl: Record<string,string> = {'mbo:33CC:4':'ROC Testland niveau 4','mbo:33CC:3':'ROC Testland niveau 3','mbo:33CC:2':'ROC Testland niveau 2','mbo:44DD:2':'Vakschool Proef niveau 2','mbo:44DD:1':'Vakschool Proef niveau 1','havo_vwo':'havo/vwo','werk':'werk','onbekend':'onbekend / geen inschrijving'};
let seed = 7; const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const flows = schools.flatMap(s => targets.map(t => { const c = Math.floor(rnd()*rnd()*60); return { source: s, target: t, count: c < 5 && c > 0 ? null : c }; })).filter(f => f.count !== 0);
const report = { cohort: '2025-2026', generatedAt: new Date().toISOString(), suppressed: true, minCell: 5,
  nodes: [...schools.map(s => ({ id: s, label: `${names[s]} (${s})`, side: 'source' as const })), ...targets.map(t => ({ id: t, label: tl[t]!, side: 'target' as const }))],
  flows, totals: { pupils: null, bySource: {}, byTarget: {} } };
writeFileSync('/tmp/rep/flows0.svg', flowsSvg(report));
