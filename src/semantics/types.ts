/**
 * Probe and verdict types of the semantics evaluator: the specification as code.
 * A probe asks "can SRC open PROTOCOL/PORT to DST?"; a verdict answers with the reason chain.
 */
import type { ObjectRef } from '../common/source.js';
import type { Protocol } from '../model/k8s.js';

/**
 * Which specification to follow where implementations differ (see src/semantics/README.md):
 * - 'ovn-kubernetes' (default): what ovn-kubernetes v1.3.0 programs (named NP ports widen to the
 *   whole protocol, the port-less+numbered quirk, ANP/BANP only on the default network, loopback
 *   never reaches OVN).
 * - 'kubernetes': the upstream NetworkPolicy / network-policy-api specification text.
 */
export type Semantics = 'ovn-kubernetes' | 'kubernetes';

/**
 * The individual semantic choices where ovn-kubernetes and the upstream specification text differ
 * (or where peer analyzers differ). `semantics` picks a preset; `choices` overrides single ones.
 * Each is documented, with its source, in src/semantics/README.md.
 */
export interface Choices {
  /** pod → its own IP stays in the pod's netns: allowed, no policy involved (ovn-k) */
  loopbackBypassesPolicy: boolean;
  /** NetworkPolicy named port reads as port 0: the whole protocol (ovn-kubernetes#2117) */
  npNamedPortWidens: boolean;
  /** a port-less NP entry is dropped when the same rule has a numbered entry of its protocol */
  npPortlessDroppedWithNumbered: boolean;
  /** ANPs with spec.priority outside 0..99 are not programmed (ANPWithUnsupportedPriority) */
  anpPriorityLimit: boolean;
  /** ANP/BANP act on the default network only (ovn-k runs them in the default controller) */
  adminPoliciesDefaultNetworkOnly: boolean;
  /**
   * hostNetwork pods are host traffic: never policy subjects, matched as peers only by selectors
   * with a podSelector (ovn-k address sets), and a node's own host always reaches its pods
   */
  hostNetworkOutsidePolicy: boolean;
  /** NP ipBlock and ANP networks peers match pod IPs too (ovn-k matches on IP) */
  ipBlockMatchesPodIPs: boolean;
  /**
   * A ClientIP-affinity Service (with OVN's affinity_timeout) loses a client's first connection:
   * OVN's affinity learn stage ends without `next` (ovn-kubernetes#4066); later ones get through
   */
  lbAffinityDropsFirstConnection: boolean;
  /**
   * OVN's logical routers drop IPv4 packets to or from 0.0.0.0/8 and 127.0.0.0/8 before any
   * routing (northd lr_in_ip_input priority 100), so a pod never reaches such an address whatever
   * the policies say; the upstream analyzers use 0.0.0.0 to stand for "anywhere outside"
   */
  routerDropsMartians: boolean;
}

export const SEMANTICS_PRESETS: Readonly<Record<Semantics, Readonly<Choices>>> = {
  'ovn-kubernetes': {
    loopbackBypassesPolicy: true,
    npNamedPortWidens: true,
    npPortlessDroppedWithNumbered: true,
    anpPriorityLimit: true,
    adminPoliciesDefaultNetworkOnly: true,
    hostNetworkOutsidePolicy: true,
    ipBlockMatchesPodIPs: true,
    lbAffinityDropsFirstConnection: true,
    routerDropsMartians: true,
  },
  kubernetes: {
    loopbackBypassesPolicy: false,
    npNamedPortWidens: false,
    npPortlessDroppedWithNumbered: false,
    anpPriorityLimit: false,
    adminPoliciesDefaultNetworkOnly: false,
    hostNetworkOutsidePolicy: false,
    // the e2e suite and cyclonus expect ipBlock to select pod IPs; the spec leaves it open
    ipBlockMatchesPodIPs: true,
    lbAffinityDropsFirstConnection: false,
    routerDropsMartians: false,
  },
};

export interface EvalOptions {
  semantics?: Semantics;
  choices?: Partial<Choices>;
}

/** One end of a probe. */
export type PeerSpec =
  | {
      kind: 'pod';
      namespace: string;
      name: string;
      /** Network.id of the attachment to use; default: the pod's primary network */
      network?: string;
    }
  | { kind: 'ip'; ip: string }
  | { kind: 'service'; namespace: string; name: string };

export interface Probe {
  src: PeerSpec;
  dst: PeerSpec;
  protocol: Protocol;
  port: number;
}

export type Stage =
  | 'input' // the probe names something the model does not have
  | 'loopback'
  | 'service' // VIP → endpoint resolution
  | 'isolation' // tier 0: network segmentation (default / UDN / CUDN / NAD)
  | 'host' // hostNetwork and node traffic
  | 'anp' // tier 1
  | 'networkpolicy' // tier 2
  | 'banp' // tier 3
  | 'default'; // nothing matched

export type StepVerdict = 'allow' | 'deny' | 'pass' | 'info';

/** One link of a reason chain: which object and rule decided what. */
export interface ReasonStep {
  stage: Stage;
  direction?: 'ingress' | 'egress';
  verdict: StepVerdict;
  /** the Kubernetes object (kind, ns/name, file:line) the step is about */
  object?: ObjectRef;
  /** rule within the object, e.g. `ingress[1]` or `egress[0] "deny-all"` */
  rule?: string;
  message: string;
}

export interface DirectionVerdict {
  allowed: boolean;
  reasons: ReasonStep[];
}

export interface Verdict {
  allowed: boolean;
  /** the destination's ingress verdict (true when nothing polices it) */
  ingress: DirectionVerdict;
  /** the source's egress verdict */
  egress: DirectionVerdict;
  /** the whole chain: resolution and isolation steps, then egress, then ingress */
  reasons: ReasonStep[];
  /** Network.id the packet travels on, when it reaches one */
  network?: string;
  /** for Service destinations: one verdict per endpoint (allowed = at least one endpoint allows) */
  endpoints?: Array<{ pod?: string; ip: string; port: number; verdict: Verdict }>;
}
