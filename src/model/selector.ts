/**
 * Kubernetes label selector matching (metav1.LabelSelectorAsSelector semantics).
 * Exported for later stages: semantics and northbound select pods and namespaces the same way.
 */
import type { LabelSelector } from './k8s.js';

/**
 * `undefined` selects nothing (the API's nil selector, where a nil selector means "none");
 * `{}` selects everything.
 */
export function matchesSelector(sel: LabelSelector | undefined | null, labels: Readonly<Record<string, string>>): boolean {
  if (sel === undefined || sel === null) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const req of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A `map[string]string` selector (Service.spec.selector, nodeSelector): every pair must match. */
export function matchesMap(sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  return true;
}
