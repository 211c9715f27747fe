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

export interface EvalOptions {
  semantics?: Semantics;
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
