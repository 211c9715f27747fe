/**
 * OpenFlow table numbers of ovn-controller, as data per OVN version (controller/lflow.h).
 * The action encoder never hard-codes a table: it reads them from here via EncodeContext.tables.
 */
export interface OftableConstants {
  version: string;
  /** OFTABLE_LOG_INGRESS_PIPELINE: logical ingress table N runs in OpenFlow table base+N. */
  logIngressPipeline: number;
  /** OFTABLE_LOG_EGRESS_PIPELINE. */
  logEgressPipeline: number;
  /** OFTABLE_OUTPUT_INIT (= OUTPUT_LARGE_PKT_DETECT): where ovn-controller resubmits `output;` in ingress. */
  outputInit: number;
  /** OFTABLE_SAVE_INPORT: `output;` in egress (and everywhere in the test-ovn driver). */
  saveInport: number;
  logToPhy: number;
  macBinding: number;
  macLookup: number;
  chkLbHairpin: number;
  chkLbHairpinReply: number;
  ctSnatHairpin: number;
  getFdb: number;
  lookupFdb: number;
  chkInPortSec: number;
  chkInPortSecNd: number;
  chkOutPortSec: number;
  ecmpNhMac: number;
  ecmpNh: number;
  chkLbAffinity: number;
  macCacheUse: number;
  ctZoneLookup: number;
  ctOrigNwDstLoad: number;
  ctOrigIp6DstLoad: number;
  ctOrigTpDstLoad: number;
  floodRemoteChassis: number;
  /** Logical tables per pipeline that `next(N)` may target in ovn-controller (LOG_PIPELINE_LEN). */
  logPipelineLen: number;
}

/** OVN 25.03.0 (controller/lflow.h at tag v25.03.0; see ovn-internals.md §6). */
export const OFTABLES_25_03: OftableConstants = {
  version: '25.03.0',
  logIngressPipeline: 8,
  logEgressPipeline: 45,
  outputInit: 40,
  saveInport: 64,
  logToPhy: 65,
  macBinding: 66,
  macLookup: 67,
  chkLbHairpin: 68,
  chkLbHairpinReply: 69,
  ctSnatHairpin: 70,
  getFdb: 71,
  lookupFdb: 72,
  chkInPortSec: 73,
  chkInPortSecNd: 74,
  chkOutPortSec: 75,
  ecmpNhMac: 76,
  ecmpNh: 77,
  chkLbAffinity: 78,
  macCacheUse: 79,
  ctZoneLookup: 80,
  ctOrigNwDstLoad: 81,
  ctOrigIp6DstLoad: 82,
  ctOrigTpDstLoad: 83,
  floodRemoteChassis: 84,
  logPipelineLen: 30,
};

/** The action opcodes carried in controller() userdata (include/ovn/actions.h, enum action_opcode). */
export const ACTION_OPCODE = {
  ARP: 0,
  PUT_ARP: 1,
  PUT_DHCP_OPTS: 2,
  ND_NA: 3,
  PUT_ND: 4,
  PUT_DHCPV6_OPTS: 5,
  DNS_LOOKUP: 6,
  LOG: 7,
  PUT_ND_RA_OPTS: 8,
  ND_NS: 9,
  ICMP: 10,
  TCP_RESET: 11,
  ND_NA_ROUTER: 12,
  PUT_ICMP4_FRAG_MTU: 13,
  ICMP4_ERROR: 14,
  EVENT: 15,
  IGMP: 16,
  BIND_VPORT: 17,
  HANDLE_SVC_CHECK: 18,
  DHCP6_SERVER: 19,
  ICMP6_ERROR: 20,
  PUT_ICMP6_FRAG_MTU: 21,
  REJECT: 22,
  BFD_MSG: 23,
  SCTP_ABORT: 24,
  PUT_FDB: 25,
  ACTIVATION_STRATEGY_RARP: 26,
  SPLIT_BUF_ACTION: 27,
  DHCP_RELAY_REQ_CHK: 28,
  DHCP_RELAY_RESP_CHK: 29,
} as const;
