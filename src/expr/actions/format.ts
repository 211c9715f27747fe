/**
 * ovnacts_format(): OVN's canonical text of parsed actions (the "formats as" of test-ovn),
 * mirroring each format_* function of lib/actions.c.
 */
import type { ExprConstant, ExprConstantSet, ExprField, OvnAction } from '../../../grammar/actions-ast.js';
import { effectiveFormat, formatLexMasked, formatLexValue } from '../../../grammar/lexer.js';
import { formatIp6V } from './mf.js';
import { logSeverityToString, logVerdictToString, OVN_EVENTS } from './l7.js';

/** expr_field_format(). */
export function formatField(f: ExprField): string {
  let s = f.symbol.name;
  if (f.ofs || f.nBits !== f.symbol.width) {
    s += f.nBits !== 1 ? `[${f.ofs}..${f.ofs + f.nBits - 1}]` : `[${f.ofs}]`;
  }
  return s;
}

/** expr_constant_format(). */
export function formatConstant(c: ExprConstant): string {
  if (c.kind === 'str') return JSON.stringify(c.s);
  if (c.mask !== null) return formatLexMasked(c.value, c.mask, c.format);
  return formatLexValue(c.value, effectiveFormat(c.format, c.value));
}

/** expr_constant_set_format(). */
export function formatConstantSet(cs: ExprConstantSet): string {
  const curlies = cs.inCurlies || cs.values.length !== 1;
  const body = cs.values.map(formatConstant).join(', ');
  return curlies ? `{${body}}` : body;
}

const ip4 = (v: bigint): string => [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn)).join('.');

function formatOne(a: OvnAction): string {
  switch (a.type) {
    case 'OUTPUT': return 'output;';
    case 'NEXT':
      if (a.pipeline !== a.srcPipeline) return `next(pipeline=${a.pipeline}, table=${a.ltable});`;
      if (a.ltable !== a.srcLtable + 1) return `next(${a.ltable});`;
      return 'next;';
    case 'LOAD': return `${formatField(a.dst)} = ${formatConstant(a.imm)};`;
    case 'OVNFIELD_LOAD': {
      // format_OVNFIELD_LOAD(): the low 16 bits (ntohs(be16_int)) as %u.
      const v = a.imm.kind === 'int' ? a.imm.value & 0xffffn : 0n;
      return `${a.dst.symbol.name} = ${v};`;
    }
    case 'MOVE': return `${formatField(a.lhs)} = ${formatField(a.rhs)};`;
    case 'EXCHANGE': return `${formatField(a.lhs)} <-> ${formatField(a.rhs)};`;
    case 'PUSH': return `push(${formatField(a.field)});`;
    case 'POP': return `pop(${formatField(a.field)});`;
    case 'DEC_TTL': return 'ip.ttl--;';
    case 'CT_NEXT': return `ct_next(${a.dnatZone ? 'dnat' : 'snat'});`;
    case 'CT_COMMIT_V2': return a.nested.length ? nested('ct_commit', a.nested) : 'ct_commit;';
    case 'CT_DNAT': case 'CT_SNAT': case 'CT_DNAT_IN_CZONE': case 'CT_SNAT_IN_CZONE': {
      let s = a.type.toLowerCase();
      if (a.family === 'ipv4') s += `(${ip4(a.ip)})`;
      else if (a.family === 'ipv6') s += `(${formatIp6V(a.ip)})`;
      if (a.portRange) {
        if (s.endsWith(')')) s = s.slice(0, -1);
        s += `,${a.portRange.lo}`;
        if (a.portRange.hi) s += `-${a.portRange.hi}`;
        s += ')';
      }
      return s + ';';
    }
    case 'CT_COMMIT_NAT': return `ct_commit_nat(${a.dnatZone ? 'dnat' : 'snat'});`;
    case 'CT_COMMIT_TO_ZONE': return `ct_commit_to_zone(${a.dnatZone ? 'dnat' : 'snat'});`;
    case 'CT_LB': case 'CT_LB_MARK': {
      let s = a.type === 'CT_LB_MARK' ? 'ct_lb_mark' : 'ct_lb';
      if (a.dsts.length) {
        s += '(backends=';
        s += a.dsts.map((d) => {
          if (d.family === 'ipv4') return ip4(d.ip) + (d.port ? `:${d.port}` : '');
          return d.port ? `[${formatIp6V(d.ip)}]:${d.port}` : formatIp6V(d.ip);
        }).join(',');
        if (a.hashFields) s += `; hash_fields="${a.hashFields}"`;
        if (a.ctFlag === 'skip_snat') s += '; skip_snat';
        else if (a.ctFlag === 'force_snat') s += '; force_snat';
        s += ')';
      }
      return s + ';';
    }
    case 'SELECT': {
      let s = `${formatField(a.resField)} = select(`;
      if (a.hashFields) s += 'values=(';
      s += a.dsts.map((d) => `${d.id}=${d.weight}`).join(', ');
      s += ')';
      if (a.hashFields) s += `; hash_fields="${a.hashFields}")`;
      return s + ';';
    }
    case 'CT_CLEAR': return 'ct_clear;';
    case 'ARP': return nested('arp', a.nested);
    case 'ICMP4': return nested('icmp4', a.nested);
    case 'ICMP4_ERROR': return nested('icmp4_error', a.nested);
    case 'ICMP6': return nested('icmp6', a.nested);
    case 'ICMP6_ERROR': return nested('icmp6_error', a.nested);
    case 'TCP_RESET': return nested('tcp_reset', a.nested);
    case 'SCTP_ABORT': return nested('sctp_abort', a.nested);
    case 'ND_NA': return nested('nd_na', a.nested);
    case 'ND_NA_ROUTER': return nested('nd_na_router', a.nested);
    case 'ND_NS': return nested('nd_ns', a.nested);
    case 'CLONE': return nested('clone', a.nested);
    case 'REJECT': return nested('reject', a.nested);
    case 'IGMP': return 'igmp;';
    case 'GET_ARP': return `get_arp(${formatField(a.port)}, ${formatField(a.ip)});`;
    case 'GET_ND': return `get_nd(${formatField(a.port)}, ${formatField(a.ip)});`;
    case 'PUT_ARP': return `put_arp(${formatField(a.port)}, ${formatField(a.ip)}, ${formatField(a.mac)});`;
    case 'PUT_ND': return `put_nd(${formatField(a.port)}, ${formatField(a.ip)}, ${formatField(a.mac)});`;
    case 'LOOKUP_ARP': case 'LOOKUP_ND':
      return `${formatField(a.dst)} = ${a.type.toLowerCase()}(${formatField(a.port)}, ${formatField(a.ip)}, ${formatField(a.mac)});`;
    case 'LOOKUP_ARP_IP': case 'LOOKUP_ND_IP':
      return `${formatField(a.dst)} = ${a.type.toLowerCase()}(${formatField(a.port)}, ${formatField(a.ip)});`;
    case 'PUT_DHCPV4_OPTS': case 'PUT_DHCPV6_OPTS': case 'PUT_ND_RA_OPTS': {
      const name = a.type === 'PUT_DHCPV4_OPTS' ? 'put_dhcp_opts' : a.type === 'PUT_DHCPV6_OPTS' ? 'put_dhcpv6_opts' : 'put_nd_ra_opts';
      const opts = a.options.map((o) => `${o.option.name} = ${formatConstantSet(o.value)}`).join(', ');
      return `${formatField(a.dst)} = ${name}(${opts});`;
    }
    case 'DNS_LOOKUP': return `${formatField(a.dst)} = dns_lookup();`;
    case 'CHK_LB_HAIRPIN': return `${formatField(a.dst)} = chk_lb_hairpin();`;
    case 'CHK_LB_HAIRPIN_REPLY': return `${formatField(a.dst)} = chk_lb_hairpin_reply();`;
    case 'CHECK_IN_PORT_SEC': return `${formatField(a.dst)} = check_in_port_sec();`;
    case 'CHECK_OUT_PORT_SEC': return `${formatField(a.dst)} = check_out_port_sec();`;
    case 'CHK_ECMP_NH_MAC': return `${formatField(a.dst)} = chk_ecmp_nh_mac();`;
    case 'CHK_ECMP_NH': return `${formatField(a.dst)} = chk_ecmp_nh();`;
    case 'CHK_LB_AFF': return `${formatField(a.dst)} = chk_lb_aff();`;
    case 'CT_ORIG_NW_DST': return `${formatField(a.dst)} = ct_nw_dst();`;
    case 'CT_ORIG_IP6_DST': return `${formatField(a.dst)} = ct_ip6_dst();`;
    case 'CT_ORIG_TP_DST': return `${formatField(a.dst)} = ct_tp_dst();`;
    case 'SET_QUEUE': return `set_queue(${a.queueId});`;
    case 'LOG': {
      let s = 'log(';
      if (a.name !== null) s += `name="${a.name}", `;
      s += `verdict=${logVerdictToString(a.verdict)}, severity=${logSeverityToString(a.severity)}`;
      if (a.meter !== null) s += `, meter="${a.meter}"`;
      return s + ');';
    }
    case 'SET_METER': return a.burst ? `set_meter(${a.rate}, ${a.burst});` : `set_meter(${a.rate});`;
    case 'TRIGGER_EVENT': {
      let s = `trigger_event(event = "${OVN_EVENTS[a.eventType]}"`;
      for (const o of a.options) s += `, ${o.option.name} = ${formatConstantSet(o.value)}`;
      return s + ');';
    }
    case 'CHECK_PKT_LARGER': return `${formatField(a.dst)} = check_pkt_larger(${a.pktLen});`;
    case 'BIND_VPORT': return `bind_vport("${a.vport}", ${formatField(a.vportParent)});`;
    case 'HANDLE_SVC_CHECK': return `handle_svc_check(${formatField(a.port)});`;
    case 'FWD_GROUP': {
      let s = 'fwd_group(';
      if (a.liveness) s += 'liveness="true", ';
      if (a.childPorts.length) s += 'childports=' + a.childPorts.map((p) => `"${p}"`).join(', ');
      return s + ');';
    }
    case 'DHCP6_REPLY': return 'handle_dhcpv6_reply;';
    case 'BFD_MSG': return 'handle_bfd_msg();';
    case 'CT_SNAT_TO_VIP': return 'ct_snat_to_vip;';
    case 'PUT_FDB': return `put_fdb(${formatField(a.port)}, ${formatField(a.mac)});`;
    case 'GET_FDB': return `${formatField(a.dst)} = get_fdb(${formatField(a.mac)});`;
    case 'LOOKUP_FDB': return `${formatField(a.dst)} = lookup_fdb(${formatField(a.port)}, ${formatField(a.mac)});`;
    case 'COMMIT_ECMP_NH':
      return `commit_ecmp_nh(ipv6 = ${a.ipv6 ? 'true' : 'false'}, proto = ${protoName(a.proto)});`;
    case 'COMMIT_LB_AFF': {
      const addr = (v: bigint): string => (a.ipv6 ? `[${formatIp6V(v)}]` : ip4(v & 0xffffffffn));
      let s = `commit_lb_aff(vip = "${addr(a.vip)}${a.vipPort ? `:${a.vipPort}` : ''}"`;
      s += `, backend = "${addr(a.backend)}${a.backendPort ? `:${a.backendPort}` : ''}"`;
      if (a.proto) s += `, proto = ${protoName(a.proto)}`;
      return s + `, timeout = ${a.timeout});`;
    }
    case 'SAMPLE': {
      let s = `sample(probability=${a.probability},collector_set=${a.collectorSetId},obs_domain=${a.obsDomainId},obs_point=`;
      if (a.useCookie) s += '$cookie';
      else if (a.obsPointSrc) s += formatField(a.obsPointSrc);
      else s += String(a.obsPointId);
      return s + ');';
    }
    case 'MAC_CACHE_USE': return 'mac_cache_use;';
    case 'FLOOD_REMOTE': return 'flood_remote;';
    case 'DHCPV4_RELAY_REQ_CHK': return `${formatField(a.dst)} = dhcp_relay_req_chk(${ip4(a.relay)}, ${ip4(a.server)});`;
    case 'DHCPV4_RELAY_RESP_CHK': return `${formatField(a.dst)} = dhcp_relay_resp_chk(${ip4(a.relay)}, ${ip4(a.server)});`;
  }
}

const protoName = (p: number): string => (p === 17 ? 'udp' : p === 132 ? 'sctp' : 'tcp');

/** format_nested_action(). */
function nested(name: string, acts: OvnAction[]): string {
  return `${name} { ${formatActions(acts)} };`;
}

/** ovnacts_format(): space-separated; no actions is `drop;`. */
export function formatActions(acts: OvnAction[]): string {
  if (!acts.length) return 'drop;';
  return acts.map(formatOne).join(' ');
}
