/**
 * The report as one self-contained HTML page: inline CSS and JS, no external resource, works from
 * file://. Output is a function of its input only (no clock unless `timestamp` is given).
 * Every user string is escaped (`esc` for markup, `scriptJSON` for the embedded data).
 */
import type { ClusterModel } from '../model/types.js';
import { formatSource } from '../common/source.js';
import { esc, scriptJSON } from './escape.js';
import { cellClass, CODE, type HeatMap } from './heatmap.js';
import type { PolicyCost } from './cost.js';

export interface HtmlReportInput {
  model: ClusterModel;
  heat: HeatMap;
  /** absent when cost was not computed */
  cost?: PolicyCost;
  meta: {
    inputs: string[];
    semantics: string;
    version: string;
    /** ISO time; only with --timestamp */
    timestamp?: string;
    /** loader/compiler warnings to show */
    warnings?: string[];
  };
}

const CLASS = { allowed: 'a', denied: 'd', partial: 'p', isolated: 'i' } as const;
/** glyphs inside cells for small maps (colour is not the only cue) */
const GLYPH = { allowed: '✓', denied: '✗', partial: '◐', isolated: '·' } as const;

export function renderHtml(input: HtmlReportInput): string {
  const { model, heat, cost, meta } = input;
  const out: string[] = [];
  const small = heat.shownEntities <= 40;
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>udnc report — ${esc(meta.inputs.join(' '))}</title>`,
    `<style>${CSS}</style>`, '</head>', '<body>');
  out.push('<header>', '<h1>udnc report</h1>',
    `<p class="meta">inputs: ${meta.inputs.map((p) => `<code>${esc(p)}</code>`).join(' ')} · semantics: <b>${esc(meta.semantics)}</b> · udnc ${esc(meta.version)}${meta.timestamp ? ` · generated ${esc(meta.timestamp)}` : ''}</p>`);
  out.push(summary(model, heat, cost));
  if (meta.warnings?.length) {
    out.push(`<details class="warn"><summary>${meta.warnings.length} warning(s) while loading</summary><ul>${meta.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></details>`);
  }
  out.push('<nav><a href="#networks">Networks</a> · <a href="#namespaces">Namespaces</a> · <a href="#connectivity">Connectivity</a> · <a href="#cost">Policy cost</a></nav>', '</header>', '<main>');
  out.push(networksSection(model, heat));
  out.push(namespacesSection(model));
  out.push(heatSection(heat, small));
  out.push(costSection(cost));
  out.push('</main>');
  out.push(`<div id="tip" role="tooltip" hidden></div>`);
  out.push(`<script type="application/json" id="udnc-data">${scriptJSON({
    entities: heat.entities.map((e) => e.id),
    networks: heat.entities.map((e) => e.network),
    ports: heat.ports, pods: heat.pods, cells: heat.cells, lines: heat.lines, chains: heat.chains,
    code: CODE,
  })}</script>`);
  out.push(`<script>${JS}</script>`, '</body>', '</html>');
  return out.join('\n') + '\n';
}

function summary(model: ClusterModel, heat: HeatMap, cost: PolicyCost | undefined): string {
  const tally = { allowed: 0, denied: 0, partial: 0, isolated: 0 };
  for (const row of heat.cells) for (const c of row) tally[cellClass(c)]++;
  const card = (n: number | string, label: string, cls = ''): string => `<div class="card${cls ? ` ${cls}` : ''}"><b>${esc(String(n))}</b><span>${esc(label)}</span></div>`;
  const pods = model.pods.filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed').length;
  return `<div class="cards">${[
    card(model.networks.length, 'networks'),
    card(model.namespaces.length, 'namespaces'),
    card(heat.totalEntities, 'workload rows'),
    card(pods, 'pods'),
    card(model.networkPolicies.length + model.adminNetworkPolicies.length + (model.baselineAdminNetworkPolicy ? 1 : 0), 'policies'),
    card(tally.allowed, 'pairs allowed', 'a'),
    card(tally.partial, 'pairs partial', 'p'),
    card(tally.denied, 'pairs denied', 'd'),
    card(tally.isolated, 'pairs isolated', 'i'),
    ...(cost ? [card(cost.totals.openflow, 'OpenFlow flows')] : []),
  ].join('')}</div>`;
}

function networksSection(model: ClusterModel, heat: HeatMap): string {
  const rows = model.networks.map((n) => {
    const shown = heat.groups.find((g) => g.network === n.id);
    const ovn = n.ovn ? 'OVN' : `<span class="tag non-ovn" title="not programmed by OVN: no OVN policy applies">not OVN · ${esc(n.cniType ?? 'unknown CNI')}</span>`;
    const owner = n.owner.source ? `${esc(n.owner.kind)} <code>${esc(`${n.owner.namespace ? `${n.owner.namespace}/` : ''}${n.owner.name}`)}</code><br><small>${esc(formatSource(n.owner.source))}</small>` : '<small>built in</small>';
    const subnets = n.subnets.length
      ? n.subnets.map((s) => `<code>${esc(s.cidr)}</code>${s.hostSubnet ? `<small> /${s.hostSubnet} per node</small>` : ''}`).join('<br>')
      : '<small>none (no IPAM)</small>';
    return `<tr${n.ovn ? '' : ' class="non-ovn-row"'}><td><b>${esc(n.id)}</b>${n.ovnName !== n.id ? `<br><small>OVN name ${esc(n.ovnName)}</small>` : ''}</td><td>${owner}</td><td>${esc(n.role)}</td><td>${esc(n.topology)}${n.vlanId !== undefined ? ` <small>VLAN ${n.vlanId}</small>` : ''}</td><td>${subnets}</td><td class="num">${n.networkId}</td><td>${ovn}</td><td>${n.namespaces.map((ns) => `<code>${esc(ns)}</code>`).join(' ') || '<small>—</small>'}</td><td class="num">${shown ? shown.count + shown.omitted : 0}</td></tr>`;
  });
  return `<section id="networks"><h2>Networks</h2>
<table class="grid"><thead><tr><th>network</th><th>defined by</th><th>role</th><th>topology</th><th>subnets</th><th class="num" title="cluster-manager network id (-1: not an OVN network)">network id</th><th>programmed by</th><th>namespaces</th><th class="num">workloads</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function namespacesSection(model: ClusterModel): string {
  const rows = model.namespaces.map((ns) => {
    const labels = Object.entries(ns.labels).filter(([k]) => k !== 'kubernetes.io/metadata.name')
      .map(([k, v]) => `<span class="tag">${esc(v === '' ? k : `${k}=${v}`)}</span>`).join(' ');
    const secondary = model.networks.filter((n) => n.role === 'secondary' && n.namespaces.includes(ns.name)).map((n) => n.id);
    const workloads = new Set(model.pods.filter((p) => p.namespace === ns.name).map((p) => `${p.workload.kind}/${p.workload.name}`)).size;
    return `<tr><td><b>${esc(ns.name)}</b>${ns.synthesized ? ' <small>(implicit)</small>' : ''}</td><td><code>${esc(ns.primaryNetwork)}</code></td><td>${secondary.map((s) => `<code>${esc(s)}</code>`).join(' ') || '<small>—</small>'}</td><td>${labels || '<small>—</small>'}</td><td class="num">${workloads}</td></tr>`;
  });
  return `<section id="namespaces"><h2>Namespaces</h2>
<table class="grid"><thead><tr><th>namespace</th><th>primary network</th><th>secondary networks</th><th>labels</th><th class="num">workloads</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function heatSection(heat: HeatMap, small: boolean): string {
  const allPorts = [...new Set(heat.ports.flat())].sort(comparePort);
  const groups = heat.groups.filter((g) => g.count > 0);
  const groupStart = new Set(groups.map((g) => g.start));
  const colHead = heat.entities.map((e, j) =>
    `<th class="col${groupStart.has(j) ? ' gs' : ''}" data-dst="${esc(e.id)}" title="${esc(`${e.id} · ${e.network} · ${e.pods} pod(s) · ${e.source}`)}"><span>${esc(e.id)}</span></th>`).join('');
  const rows: string[] = [];
  const width = heat.entities.length + 1;
  for (const g of groups) {
    rows.push(`<tr class="ghead"><th class="gname" colspan="${width}"><span>${esc(g.network)}</span></th></tr>`);
    for (let i = g.start; i < g.start + g.count; i++) {
      const e = heat.entities[i]!;
      const tds = heat.cells[i]!.map((c, j) => {
        const k = cellClass(c);
        return `<td class="${CLASS[k]}${groupStart.has(j) ? ' gs' : ''}">${small ? GLYPH[k] : ''}</td>`;
      }).join('');
      rows.push(`<tr data-i="${i}" data-src="${esc(e.id)}"><th class="row" title="${esc(`${e.id} · ${e.pods} pod(s)${e.hostNetwork ? ' · hostNetwork' : ''} · ${e.source}`)}">${esc(e.id)}${e.hostNetwork ? ' <small>host</small>' : ''}</th>${tds}</tr>`);
    }
  }
  const omitted = heat.groups.filter((g) => g.omitted > 0);
  const note = omitted.length
    ? `<p class="note">Showing ${heat.shownEntities} of ${heat.totalEntities} workloads (cap: <code>--max-workloads</code>). Left out: ${omitted.map((g) => `${g.omitted} on <code>${esc(g.network)}</code>`).join(', ')}.</p>`
    : '';
  const groupHead = groups.map((g) => `<th class="gcol gs" colspan="${g.count}">${esc(g.network)}</th>`).join('');
  return `<section id="connectivity"><h2>Connectivity</h2>
<p>Rows are sources, columns destinations, grouped by network. Each cell probes the destination's container ports and every port a policy names (TCP/80 when there are none); a workload against itself is replica to replica. Hover a cell for its reason chain, click to pin it below.</p>
<div class="legend"><span class="sw a"></span> allowed <span class="sw p"></span> partial (some ports) <span class="sw d"></span> denied by policy <span class="sw i"></span> isolated (different networks) <span class="sw n"></span> port not probed
<label>port <select id="port"><option value="">all probed ports</option>${allPorts.map((p) => `<option>${esc(p)}</option>`).join('')}</select></label></div>
${note}
<div class="hm-wrap"><table class="hm${small ? ' small' : ''}" id="hm">
<thead><tr><th class="corner" rowspan="2">source ↓ · destination →</th>${groupHead}</tr>
<tr>${colHead}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>
<div id="details" class="details"><p class="hint">Click a cell to show its reason chain here.</p></div>
</section>`;
}

function costSection(cost: PolicyCost | undefined): string {
  if (!cost) return '<section id="cost"><h2>Policy cost</h2><p class="note">Not computed (<code>--no-cost</code>).</p></section>';
  const rows: string[] = [];
  for (const r of cost.rows) {
    const sh = (n: number, s: number): string => `${n}${s ? ` <small title="also counted for other objects">(${s} shared)</small>` : ''}`;
    rows.push(`<tr class="pol"><td>${esc(r.kind)}</td><td><b>${esc(r.name)}</b><br><small>${esc(r.source)}</small></td><td class="num">${sh(r.acls, r.shared.acls)}</td><td class="num">${sh(r.lflows, r.shared.lflows)}</td><td class="num">${sh(r.openflow, r.shared.openflow)}</td></tr>`);
    for (const x of r.rules) rows.push(`<tr class="rule"><td></td><td>↳ ${esc(x.rule)}</td><td class="num">${x.acls}</td><td class="num">${x.lflows}</td><td class="num">${x.openflow}</td></tr>`);
  }
  if (!cost.rows.length) rows.push('<tr><td colspan="5"><small>no policies</small></td></tr>');
  return `<section id="cost"><h2>Policy cost</h2>
<p>What each policy compiles to: northbound ACLs, logical flows, and OpenFlow flows on one chassis hosting every pod (as <code>udnc cost</code>). An item caused by several objects is counted in full for each (“shared”).${cost.missingStages.length ? ` Not computed: ${esc(cost.missingStages.join(', '))}.` : ''}</p>
<table class="grid cost"><thead><tr><th>kind</th><th>policy</th><th class="num">ACLs</th><th class="num">lflows</th><th class="num">OpenFlow</th></tr></thead>
<tbody>${rows.join('\n')}
<tr class="total"><td></td><td>all objects (totals)</td><td class="num">${cost.totals.acls}</td><td class="num">${cost.totals.lflows}</td><td class="num">${cost.totals.openflow}</td></tr></tbody></table></section>`;
}

function comparePort(a: string, b: string): number {
  const [pa, na] = a.split('/');
  const [pb, nb] = b.split('/');
  const order: Record<string, number> = { TCP: 0, UDP: 1, SCTP: 2 };
  return (order[pa!] ?? 3) - (order[pb!] ?? 3) || Number(na) - Number(nb);
}

const CSS = `
:root{--a:#2f9e5b;--d:#d64541;--p:#f0a531;--i:#8a9099;--n:#eceff3;--fg:#1d232b;--mut:#5b6571;--line:#d9dee5;--bg:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#f6f7f9}
header{background:#fff;border-bottom:1px solid var(--line);padding:16px 24px 10px}
h1{margin:0 0 4px;font-size:22px}
h2{font-size:18px;margin:0 0 10px}
main{padding:0 24px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:18px 0;overflow:auto}
.meta{color:var(--mut);margin:0 0 10px}
nav{margin-top:8px;color:var(--mut)}
nav a{color:#2758a8;text-decoration:none}
code{font:12.5px/1.3 ui-monospace,"DejaVu Sans Mono",monospace;background:#f1f3f6;border-radius:3px;padding:0 3px}
small{color:var(--mut)}
.cards{display:flex;flex-wrap:wrap;gap:8px}
.card{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:96px;background:#fff}
.card b{display:block;font-size:20px}
.card span{color:var(--mut);font-size:12px}
.card.a{border-left:5px solid var(--a)}.card.d{border-left:5px solid var(--d)}.card.p{border-left:5px solid var(--p)}.card.i{border-left:5px solid var(--i)}
.warn{margin:8px 0;color:#8a5a00}
table.grid{border-collapse:collapse;width:100%}
table.grid th,table.grid td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
table.grid th{background:#f1f3f6;font-weight:600;font-size:13px}
table.grid td.num,table.grid th.num{text-align:right;font-variant-numeric:tabular-nums}
.tag{display:inline-block;background:#eef1f5;border:1px solid var(--line);border-radius:10px;padding:0 7px;font-size:12px;margin:1px 0}
.tag.non-ovn{background:#fff4e0;border-color:#f0c27a;color:#7a4b00;font-weight:600}
tr.non-ovn-row td{background:#fffaf0}
.cost tr.rule td{color:var(--mut);font-size:13px;padding-top:2px;padding-bottom:2px}
.cost tr.total td{font-weight:600;border-top:2px solid var(--line)}
.legend{display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px;margin:6px 0 10px}
.legend label{margin-left:auto}
.sw{display:inline-block;width:14px;height:14px;border-radius:3px;vertical-align:-2px;border:1px solid rgba(0,0,0,.15)}
.sw.a{background:var(--a)}.sw.d{background:var(--d)}.sw.p{background:var(--p)}.sw.i{background:var(--i)}.sw.n{background:var(--n)}
.note{background:#fff8e6;border:1px solid #f3d58b;border-radius:6px;padding:6px 10px}
.hm-wrap{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:6px}
table.hm{border-collapse:separate;border-spacing:0;font-size:12px}
table.hm td{width:16px;min-width:16px;height:16px;padding:0;border-right:1px solid #fff;border-bottom:1px solid #fff;cursor:pointer;text-align:center;color:#fff;font-size:11px}
table.hm.small td{width:30px;min-width:30px;height:28px;font-size:14px}
table.hm td.a{background:var(--a)}table.hm td.d{background:var(--d)}table.hm td.p{background:var(--p);color:#3b2a00}table.hm td.i{background:var(--i)}table.hm td.n{background:var(--n);color:var(--mut)}
table.hm td.gs,table.hm th.gs{border-left:3px solid var(--fg)}
table.hm tr.ghead th{background:#f1f3f6;text-align:left;font-weight:600;padding:3px 8px;border-top:2px solid var(--fg)}
table.hm tr.ghead th span{position:sticky;left:8px}
table.hm td:hover,table.hm td.sel{outline:2px solid #111;outline-offset:-2px}
table.hm th{background:#fff;font-weight:500}
table.hm th.row{position:sticky;left:0;z-index:1;text-align:right;padding:0 8px;white-space:nowrap;border-right:1px solid var(--line)}
table.hm thead th{position:sticky;z-index:3}
table.hm thead tr:first-child th{top:0}
table.hm th.gcol{background:#f1f3f6;font-weight:600;padding:3px 6px;text-align:left;white-space:nowrap}
table.hm th.corner{left:0;z-index:4;background:#fff;font-weight:400;color:var(--mut);text-align:right;vertical-align:bottom;padding:4px 8px}
table.hm th.col{vertical-align:bottom;padding:4px 0;top:24px}
table.hm th.col span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block;max-height:220px;overflow:hidden;text-overflow:ellipsis}
#tip{position:fixed;z-index:10;max-width:560px;background:#1d232b;color:#f3f5f7;border-radius:6px;padding:8px 10px;font-size:12.5px;line-height:1.4;pointer-events:none;box-shadow:0 4px 14px rgba(0,0,0,.25)}
#tip .h,.details .h{font-weight:600;margin-bottom:4px}
#tip .v,.details .v{margin-top:4px;font-weight:600}
#tip .r,.details .r{margin-left:12px;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:11.5px;white-space:pre-wrap;word-break:break-word}
.v .ok{color:#59d38a}.v .no{color:#ff7b72}
.details{margin-top:12px;border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:#fbfcfd}
.details .v .ok{color:#1d7a45}.details .v .no{color:#b3261e}
.details .hint{color:var(--mut);margin:0}
`;

/* The page script: tooltip on hover, pinned details on click, per-port recolouring. Plain ES2017. */
const JS = `
(function(){
'use strict';
var D=JSON.parse(document.getElementById('udnc-data').textContent);
var C=D.code, tip=document.getElementById('tip'), det=document.getElementById('details'), hm=document.getElementById('hm');
var small=hm.classList.contains('small');
var GLYPH={a:'\\u2713',d:'\\u2717',p:'\\u25d0',i:'\\u00b7',n:''};
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
function pos(td){var tr=td.parentNode;return {i:Number(tr.getAttribute('data-i')),j:td.cellIndex-1};}
/* reason lines are templates (src/report/heatmap.ts templateLine): \u0001S source pod, \u0001D destination pod, \u0001P port */
function expand(line,i,j,port){
  var dst=D.entities[i]===D.entities[j]&&D.pods[j].replica?D.pods[j].replica:D.pods[j].pod;
  return line.split('\u0001S').join(D.pods[i].pod).split('\u0001D').join(dst).split('\u0001P').join(port);
}
function explain(i,j){
  var c=D.cells[i][j], ps=D.ports[j], h='<div class="h">'+esc(D.entities[i])+' \\u2192 '+esc(D.entities[j])+'</div>';
  if(D.networks[i]!==D.networks[j]) h+='<div>networks: '+esc(D.networks[i])+' \\u2192 '+esc(D.networks[j])+'</div>';
  else h+='<div>network: '+esc(D.networks[i])+'</div>';
  for(var k=0;k<ps.length;){
    var code=c[2*k], chain=c[2*k+1], names=[ps[k]], m=k+1;
    while(m<ps.length&&c[2*m]===code&&c[2*m+1]===chain){names.push(ps[m]);m++;}
    var ok=(code&C.allowed)!==0;
    var dir=ok?'':(code&C.isolated?' (network isolation)':' ('+[(code&C.egress)?'':'egress denied',(code&C.ingress)?'':'ingress denied'].filter(Boolean).join(', ')+')');
    h+='<div class="v"><span class="'+(ok?'ok':'no')+'">'+(ok?'allowed':'denied')+'</span> '+esc(names.join(', '))+esc(dir)+'</div>';
    var lines=D.chains[chain];
    for(var l=0;l<lines.length;l++) h+='<div class="r">'+esc(expand(D.lines[lines[l]],i,j,names.join(', ')))+'</div>';
    k=m;
  }
  return h;
}
hm.addEventListener('mouseover',function(ev){
  var td=ev.target.closest&&ev.target.closest('td'); if(!td||!hm.contains(td)) { tip.hidden=true; return; }
  var p=pos(td); tip.innerHTML=explain(p.i,p.j); tip.hidden=false; place(ev);
});
hm.addEventListener('mousemove',function(ev){ if(!tip.hidden) place(ev); });
hm.addEventListener('mouseleave',function(){ tip.hidden=true; });
function place(ev){
  var w=tip.offsetWidth, h=tip.offsetHeight, x=ev.clientX+14, y=ev.clientY+14;
  if(x+w>window.innerWidth-4) x=Math.max(4,ev.clientX-w-14);
  if(y+h>window.innerHeight-4) y=Math.max(4,ev.clientY-h-14);
  tip.style.left=x+'px'; tip.style.top=y+'px';
}
hm.addEventListener('click',function(ev){
  var td=ev.target.closest&&ev.target.closest('td'); if(!td) return;
  var old=hm.querySelector('td.sel'); if(old) old.classList.remove('sel');
  td.classList.add('sel'); var p=pos(td); det.innerHTML=explain(p.i,p.j);
});
document.getElementById('port').addEventListener('change',function(ev){
  var want=ev.target.value, trs=hm.querySelectorAll('tr[data-i]');
  for(var t=0;t<trs.length;t++){
    var r=Number(trs[t].getAttribute('data-i')), tds=trs[t].querySelectorAll('td');
    for(var j=0;j<tds.length;j++){
      var c=D.cells[r][j], ps=D.ports[j], ok=0, iso=0, n=0;
      for(var k=0;k<ps.length;k++){ if(want&&ps[k]!==want) continue; n++; if(c[2*k]&C.allowed) ok++; else if(c[2*k]&C.isolated) iso++; }
      var cls=n===0?'n':ok===n?'a':ok>0?'p':iso===n?'i':'d';
      tds[j].className=cls+(tds[j].classList.contains('gs')?' gs':'')+(tds[j].classList.contains('sel')?' sel':'');
      if(small) tds[j].textContent=GLYPH[cls];
    }
  }
});
})();
`;
