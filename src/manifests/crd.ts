/**
 * CustomResourceDefinition openAPIV3Schema → JSON Schema for ajv, keeping what the apiserver
 * enforces on create:
 *  - structural types, enums, bounds, patterns, `required`, `default:` (applied by ajv useDefaults);
 *  - unknown fields rejected (`additionalProperties: false`), as `kubectl apply` does with its
 *    default `--validate=strict`, except under `x-kubernetes-preserve-unknown-fields`;
 *  - `x-kubernetes-int-or-string` → integer or string;
 *  - `x-kubernetes-list-type: set` → uniqueItems; `map` + list-map-keys → `x-udnc-list-map-keys`;
 *  - `x-kubernetes-validations` (CEL) → `x-udnc-cel`, evaluated by src/manifests/cel.ts.
 * Descriptions are dropped (size); `status` is not validated (kubectl apply ignores it).
 * Run `npx tsx schemas/generate-crd-schemas.ts` to regenerate schemas/*.json from vendor/shared/schemas.
 */
import { parse as parseYaml } from 'yaml';

type Json = Record<string, unknown>;

export interface CelRuleSpec {
  rule: string;
  message?: string;
  fieldPath?: string;
}

function convert(node: Json): Json {
  const out: Json = {};
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [k, v] of Object.entries(node)) {
    switch (k) {
      case 'description':
      case 'x-kubernetes-preserve-unknown-fields':
      case 'x-kubernetes-map-type': // atomic/granular only matters to server-side apply merging
      case 'x-kubernetes-list-type':
      case 'x-kubernetes-list-map-keys':
      case 'x-kubernetes-int-or-string':
      case 'x-kubernetes-embedded-resource':
        break;
      case 'x-kubernetes-validations':
        out['x-udnc-cel'] = (v as Json[]).map((r) => {
          const spec: CelRuleSpec = { rule: String(r.rule) };
          if (typeof r.message === 'string') spec.message = r.message;
          if (typeof r.fieldPath === 'string') spec.fieldPath = r.fieldPath;
          return spec;
        });
        break;
      case 'properties': {
        const props: Json = {};
        for (const [pk, pv] of Object.entries(v as Json)) props[pk] = convert(pv as Json);
        out.properties = props;
        break;
      }
      case 'items':
      case 'additionalProperties':
      case 'not':
        out[k] = typeof v === 'object' && v !== null ? convert(v as Json) : v;
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[k] = (v as Json[]).map(convert);
        break;
      default:
        out[k] = v;
    }
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    // Upstream CRDs spell this as anyOf integer/string already; normalise to exactly that.
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  if (node['x-kubernetes-list-type'] === 'map' && Array.isArray(node['x-kubernetes-list-map-keys'])) {
    out['x-udnc-list-map-keys'] = node['x-kubernetes-list-map-keys'];
  }
  if (node.type === 'object' && out.properties && !preserve && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** Converts the named served version of a CRD (YAML text) into a standalone JSON Schema. */
export function crdToJsonSchema(crdYaml: string, version: string, id: string): Json {
  const crd = parseYaml(crdYaml) as Json;
  const spec = crd.spec as Json;
  const names = spec.names as Json;
  const versions = spec.versions as Json[];
  const v = versions.find((x) => x.name === version);
  if (!v) throw new Error(`CRD ${String(names.kind)} has no version ${version}`);
  const root = ((v.schema as Json).openAPIV3Schema ?? {}) as Json;
  const schema = convert(root);
  const props = (schema.properties ?? {}) as Json;
  // Status is written by controllers, never validated on apply; metadata is validated separately.
  if (props.status) props.status = {};
  props.metadata = { $ref: 'k8s-common.json#/definitions/ObjectMeta' };
  props.apiVersion = { type: 'string' };
  props.kind = { type: 'string' };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: id,
    title: `${String(names.kind)} ${String(spec.group)}/${version} (generated from the upstream CRD; do not edit)`,
    ...schema,
  };
}
