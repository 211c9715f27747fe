/** Label selectors: matching, and ovn-kubernetes' selector key strings for PodSelector address sets. */
import type { LabelSelector, LabelSelectorRequirement } from '../model/k8s.js';

/** Go's sort.Strings order (byte-wise). */
export function goStringCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedStrings(xs: Iterable<string>): string[] {
  return [...xs].sort(goStringCompare);
}

/** metav1.LabelSelectorAsSelector semantics; `undefined` selects nothing is NOT assumed here: callers decide. */
export function selectorMatches(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const val = labels[r.key];
    switch (r.operator) {
      case 'In':
        if (!has || !(r.values ?? []).includes(val!)) return false;
        break;
      case 'NotIn':
        if (has && (r.values ?? []).includes(val!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function selectorIsEmpty(sel: LabelSelector | undefined): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

/** sortedLSRString (addresssetmanager): `LSR{Key:k,Operator:In,Values:[a b],}` with sorted values. */
function sortedLSRString(r: LabelSelectorRequirement): string {
  const values = sortedStrings(r.values ?? []);
  return `LSR{Key:${r.key},Operator:${r.operator},Values:[${values.join(' ')}],}`;
}

/**
 * shortLabelSelectorString (pkg/ovn/addresssetmanager): `LS{ML:{k: v,},ME:{LSR{...}},}`;
 * `{}` → `LS{}`, nil → `nil`.
 */
export function shortLabelSelectorString(sel: LabelSelector | undefined): string {
  if (!sel) return 'nil';
  let me = '';
  const exprs = sel.matchExpressions ?? [];
  if (exprs.length > 0) me = `ME:{${sortedStrings(exprs.map(sortedLSRString)).join(',')}}`;
  let ml = '';
  const keys = sortedStrings(Object.keys(sel.matchLabels ?? {}));
  if (keys.length > 0) ml = `ML:{${keys.map((k) => `${k}: ${sel.matchLabels![k]},`).join('')}}`;
  let s = 'LS{';
  if (ml) s += `${ml},`;
  if (me) s += `${me},`;
  return `${s}}`;
}

/**
 * getPodSelectorKey: `<nsKey>_<podSel>[_<nodeSel>][_LNM]`, nsKey = the static namespace when
 * namespaceSelector is nil, else the selector string. An empty node selector is normalized to nil.
 */
export function podSelectorKey(args: {
  podSelector: LabelSelector | undefined;
  namespaceSelector: LabelSelector | undefined;
  nodeSelector?: LabelSelector;
  namespace: string;
  legacyNetpolMode: boolean;
}): string {
  const nsKey = args.namespaceSelector === undefined ? args.namespace : shortLabelSelectorString(args.namespaceSelector);
  let key = `${nsKey}_${shortLabelSelectorString(args.podSelector)}`;
  const node = args.nodeSelector && !selectorIsEmpty(args.nodeSelector) ? args.nodeSelector : undefined;
  if (node) key += `_${shortLabelSelectorString(node)}`;
  return args.legacyNetpolMode ? `${key}_LNM` : key;
}
