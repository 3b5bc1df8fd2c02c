import pg from 'pg';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/doorstroom_reportbench' });
await c.connect();
await c.query("set jit = off; set work_mem = '64MB'");
const base = `with best as (
  select distinct on (e.pupil_id) e.pupil_id, e.mbo_brin, e.niveau, e.crebo
  from enrolments e join pupils p on p.id = e.pupil_id
  where p.cohort = '2025-2026' and p.school_code is not null
    and (e.status in ('ingeschreven', 'onderwijsovereenkomst_aangeboden', 'aangemeld') or (e.status = 'uitgeschreven' and e.start_date is not null))
  order by e.pupil_id, case when e.status in ('ingeschreven', 'uitgeschreven') and e.start_date is not null then 0 when e.status in ('onderwijsovereenkomst_aangeboden', 'ingeschreven') then 1 else 2 end, e.updated_at desc, e.id
), g as (
  select p.school_code, null::text as leerweg, b.mbo_brin, b.niveau, b.crebo,
         case when b.pupil_id is not null then null when p.destination is not null then p.destination else 'onbekend' end as destination, count(*)::int as count
  from pupils p left join best b on b.pupil_id = p.id where p.cohort = '2025-2026' and p.school_code is not null group by 1,2,3,4,5,6)`;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let i = 0; i < 3; i++) {
  let t = cpu(); const r1 = await c.query(base + ' select * from g'); const a = cpu() - t;
  t = cpu(); const r2 = await c.query(base + " select json_agg(json_build_array(school_code, leerweg, mbo_brin, niveau, crebo, destination, count))::text as j from g"); const rows = JSON.parse(r2.rows[0].j); const b = cpu() - t;
  t = cpu(); const r3 = await c.query({ text: base + ' select * from g', rowMode: 'array' }); const d = cpu() - t;
  console.log('objects', a.toFixed(0), 'json_agg', b.toFixed(0), 'arrays', d.toFixed(0), r1.rowCount, rows.length, r3.rowCount);
}
await c.end();
