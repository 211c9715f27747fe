/**
 * Option tables used by the action parser: DHCPv4/DHCPv6 options and ND RA options
 * (lib/ovn-l7.h), controller events (include/ovn/actions.h + lib/ovn-l7.h), and ACL log
 * verdicts/severities (lib/acl-log.c).
 */
import type { GenOpt } from '../../../grammar/actions-ast.js';

const o = (name: string, code: number, type: string): GenOpt => ({ name, code, type });

/** DHCPv4 options (ovn-l7.h DHCP_OPT_*; ovn-northd loads all of them into SB DHCP_Options). */
export const DHCPV4_OPTS: readonly GenOpt[] = [
  o('offerip', 0, 'ipv4'),
  o('netmask', 1, 'ipv4'),
  o('router', 3, 'ipv4'),
  o('dns_server', 6, 'ipv4'),
  o('log_server', 7, 'ipv4'),
  o('lpr_server', 9, 'ipv4'),
  o('hostname', 12, 'str'),
  o('domain_name', 15, 'str'),
  o('swap_server', 16, 'ipv4'),
  o('policy_filter', 21, 'ipv4'),
  o('router_solicitation', 32, 'ipv4'),
  o('nis_server', 41, 'ipv4'),
  o('ntp_server', 42, 'ipv4'),
  o('server_id', 54, 'ipv4'),
  o('tftp_server', 66, 'host_id'),
  o('classless_static_route', 121, 'static_routes'),
  o('ms_classless_static_route', 249, 'static_routes'),
  o('ip_forward_enable', 19, 'bool'),
  o('router_discovery', 31, 'bool'),
  o('ethernet_encap', 36, 'bool'),
  o('default_ttl', 23, 'uint8'),
  o('tcp_ttl', 37, 'uint8'),
  o('mtu', 26, 'uint16'),
  o('lease_time', 51, 'uint32'),
  o('T1', 58, 'uint32'),
  o('T2', 59, 'uint32'),
  o('bootfile_name', 67, 'str'),
  o('wpad', 252, 'str'),
  o('path_prefix', 210, 'str'),
  o('tftp_server_address', 150, 'ipv4'),
  o('domain_search_list', 119, 'domains'),
  o('broadcast_address', 28, 'ipv4'),
  o('netbios_name_server', 44, 'ipv4'),
  o('netbios_node_type', 46, 'uint8'),
  o('bootfile_name_alt', 254, 'str'),
  o('arp_cache_timeout', 35, 'uint32'),
  o('tcp_keepalive_interval', 38, 'uint32'),
  o('next_server', 253, 'ipv4'),
];

/** DHCPv6 options (ovn-l7.h DHCPV6_OPT_*). */
export const DHCPV6_OPTS: readonly GenOpt[] = [
  o('server_id', 2, 'mac'),
  o('ia_addr', 5, 'ipv6'),
  o('dns_server', 23, 'ipv6'),
  o('domain_search', 24, 'str'),
  o('bootfile_name', 59, 'str'),
  o('bootfile_name_alt', 254, 'str'),
  o('fqdn', 39, 'domain'),
];

export const ND_RA_FLAG_ADDR_MODE = 0;
export const ND_RA_FLAG_PRF = 255;
export const ND_OPT_SOURCE_LINKADDR = 1;
export const ND_OPT_PREFIX_INFORMATION = 3;
export const ND_OPT_MTU = 5;
export const ND_OPT_RDNSS = 25;
export const ND_OPT_DNSSL = 31;
export const ND_OPT_ROUTE_INFO_TYPE = 24;

/** nd_ra_opts_init(). */
export const ND_RA_OPTS: readonly GenOpt[] = [
  o('addr_mode', ND_RA_FLAG_ADDR_MODE, 'str'),
  o('router_preference', ND_RA_FLAG_PRF, 'str'),
  o('slla', ND_OPT_SOURCE_LINKADDR, 'mac'),
  o('prefix', ND_OPT_PREFIX_INFORMATION, 'ipv6'),
  o('mtu', ND_OPT_MTU, 'uint32'),
  o('rdnss', ND_OPT_RDNSS, 'ipv6'),
  o('dnssl', ND_OPT_DNSSL, 'str'),
  o('route_info', ND_OPT_ROUTE_INFO_TYPE, 'str'),
];

/** enum ovn_controller_event and event_to_string(). */
export const OVN_EVENTS = ['empty_lb_backends'] as const;
export const EMPTY_LB_VIP = 1;
export const EMPTY_LB_PROTOCOL = 2;
export const EMPTY_LB_LOAD_BALANCER = 3;

/** controller_event_opts_init(), indexed by event type. */
export const CONTROLLER_EVENT_OPTS: readonly (readonly GenOpt[])[] = [
  [o('vip', EMPTY_LB_VIP, 'str'), o('protocol', EMPTY_LB_PROTOCOL, 'str'), o('load_balancer', EMPTY_LB_LOAD_BALANCER, 'str')],
];

/** lib/acl-log.c: enum log_verdict and log_verdict_to_string(). */
export const LOG_VERDICTS = ['allow', 'drop', 'reject', 'pass'] as const;
export const LOG_VERDICT_UNKNOWN = 255;

/** lib/acl-log.c: log_severity_from_string() (syslog levels). */
export const LOG_SEVERITIES: Record<string, number> = { alert: 1, warning: 4, notice: 5, info: 6, debug: 7 };
export const LOG_SEVERITY_INFO = 6;

export function logSeverityToString(sev: number): string {
  for (const [k, v] of Object.entries(LOG_SEVERITIES)) if (v === sev) return k;
  return '<unknown>';
}

export function logVerdictToString(v: number): string {
  return LOG_VERDICTS[v] ?? '<unknown>';
}
