import { z } from 'zod';
const Count = z.number().int().min(0).nullable();
const FlowsReport = z.object({
    cohort: z.string(), generatedAt: z.iso.datetime(), suppressed: z.boolean(), minCell: z.number().int(),
    nodes: z.array(z.object({ id: z.string(), label: z.string(), side: z.enum(['source', 'target']) })),
    flows: z.array(z.object({ source: z.string(), target: z.string(), count: Count })),
    totals: z.object({ pupils: Count, bySource: z.record(z.string(), Count), byTarget: z.record(z.string(), Count) }),
  });
const n = 91000;
const report = { cohort: 'x', generatedAt: new Date().toISOString(), suppressed: true, minCell: 5,
  nodes: Array.from({ length: 45000 }, (_, i) => ({ id: `mbo:${i}`, label: `ROC ${i} niveau 2, crebo 25180`, side: 'target' as const })),
  flows: Array.from({ length: n }, (_, i) => ({ source: `${i % 400}AA00`, target: `mbo:${i % 45000}`, count: i % 3 ? null : 7 })),
  totals: { pupils: null, bySource: {}, byTarget: Object.fromEntries(Array.from({ length: 45000 }, (_, i) => [`mbo:${i}`, i % 3 ? null : 5])) } };
for (let k = 0; k < 3; k++) {
  let c = process.cpuUsage(); z.safeEncode(FlowsReport, report); let u = process.cpuUsage(c); console.log('zod encode cpu', (u.user + u.system) / 1000);
  c = process.cpuUsage(); JSON.stringify(report); u = process.cpuUsage(c); console.log('stringify cpu', (u.user + u.system) / 1000);
}
