/**
 * JSON-schema validation and schema defaulting with ajv. One schema per kind under schemas/
 * (the CRD ones generated from the upstream CRDs, the core ones hand-written), compiled once.
 *
 * Mirrors the apiserver's order of work: schema defaults are filled in first (applySchemaDefaults),
 * then the defaulted object is validated (validateSchema, including the CEL rules).
 */
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import adminnetworkpolicy from '../../schemas/adminnetworkpolicy.json';
import baselineadminnetworkpolicy from '../../schemas/baselineadminnetworkpolicy.json';
import clusteruserdefinednetwork from '../../schemas/clusteruserdefinednetwork.json';
import cronjob from '../../schemas/cronjob.json';
import daemonset from '../../schemas/daemonset.json';
import deployment from '../../schemas/deployment.json';
import endpointslice from '../../schemas/endpointslice.json';
import job from '../../schemas/job.json';
import k8sCommon from '../../schemas/k8s-common.json';
import namespace from '../../schemas/namespace.json';
import network from '../../schemas/network.json';
import networkattachmentdefinition from '../../schemas/networkattachmentdefinition.json';
import networkpolicy from '../../schemas/networkpolicy.json';
import node from '../../schemas/node.json';
import pod from '../../schemas/pod.json';
import replicaset from '../../schemas/replicaset.json';
import replicationcontroller from '../../schemas/replicationcontroller.json';
import service from '../../schemas/service.json';
import statefulset from '../../schemas/statefulset.json';
import userdefinednetwork from '../../schemas/userdefinednetwork.json';
import virtualmachine from '../../schemas/virtualmachine.json';
import virtualmachineinstance from '../../schemas/virtualmachineinstance.json';
import { compileRule, evalRule } from './cel.js';
import type { CelRuleSpec } from './crd.js';
import type { KnownKind } from './types.js';

// ajv and ajv-formats are CommonJS; under ESM interop the constructor may sit on `.default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

type Json = Record<string, unknown>;

export const KIND_SCHEMAS: Readonly<Record<KnownKind, Json>> = {
  Namespace: namespace, Node: node, Pod: pod,
  Deployment: deployment, StatefulSet: statefulset, DaemonSet: daemonset, ReplicaSet: replicaset,
  ReplicationController: replicationcontroller, Job: job, CronJob: cronjob,
  VirtualMachine: virtualmachine, VirtualMachineInstance: virtualmachineinstance,
  Service: service, EndpointSlice: endpointslice,
  NetworkPolicy: networkpolicy, AdminNetworkPolicy: adminnetworkpolicy, BaselineAdminNetworkPolicy: baselineadminnetworkpolicy,
  UserDefinedNetwork: userdefinednetwork, ClusterUserDefinedNetwork: clusteruserdefinednetwork,
  NetworkAttachmentDefinition: networkattachmentdefinition, Network: network,
};

/** One schema violation: field path in `a.b[0].c` form and a human message. */
export interface SchemaIssue {
  path: string;
  message: string;
  /**
   * The value has the wrong JSON type, so a typed decoder (kubectl, Go clients, upstream analyzers)
   * could not read the object at all. Lenient mode skips such objects and keeps the others.
   */
  undecodable?: boolean;
}

function makeAjv(): InstanceType<typeof AjvModule> {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, verbose: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-udnc-experimental' });
  {
    ajv.addKeyword({
      keyword: 'x-udnc-cel',
      schemaType: 'array',
      errors: true,
      validate: function celKeyword(this: unknown, rules: CelRuleSpec[], data: unknown): boolean {
        const errors: Array<Partial<ErrorObject>> = [];
        for (const r of rules) {
          const rule = compileRule(r.rule);
          if (rule.transition) continue; // oldSelf rules only run on update
          const res = evalRule(rule, data);
          if (res === true) continue;
          const sub = r.fieldPath ? r.fieldPath.replace(/^\./, '').split('.').map((k) => `/${k}`).join('') : '';
          errors.push({
            keyword: 'x-udnc-cel',
            message: res === false ? (r.message ?? `failed rule: ${r.rule}`) : `rule could not be evaluated (${res}): ${r.rule}`,
            params: { rule: r.rule, subPath: sub },
          });
        }
        (celKeyword as unknown as { errors: unknown }).errors = errors;
        return errors.length === 0;
      },
    });
    ajv.addKeyword({
      keyword: 'x-udnc-list-map-keys',
      schemaType: 'array',
      errors: true,
      validate: function listMapKeys(this: unknown, keys: string[], data: unknown): boolean {
        if (!Array.isArray(data)) return true;
        const seen = new Map<string, number>();
        const errors: Array<Partial<ErrorObject>> = [];
        data.forEach((item, i) => {
          if (item === null || typeof item !== 'object') return;
          const k = JSON.stringify(keys.map((key) => (item as Json)[key]));
          const prev = seen.get(k);
          if (prev !== undefined) {
            errors.push({ keyword: 'x-udnc-list-map-keys', message: `duplicate entry: same ${keys.join('/')} as item ${prev}`, params: { subPath: `/${i}` } });
          } else seen.set(k, i);
        });
        (listMapKeys as unknown as { errors: unknown }).errors = errors;
        return errors.length === 0;
      },
    });
  }
  ajv.addSchema(k8sCommon);
  return ajv;
}

let ajvInstance: InstanceType<typeof AjvModule> | undefined;
const compiled = new Map<KnownKind, ValidateFunction>();

/** The compiled validator of a kind (compiled on first use, then cached for the process). */
function get(kind: KnownKind): ValidateFunction {
  let c = compiled.get(kind);
  if (!c) {
    ajvInstance ??= makeAjv();
    c = ajvInstance.compile(KIND_SCHEMAS[kind]);
    compiled.set(kind, c);
  }
  return c;
}

/** `/spec/ingress/0/ports` → `spec.ingress[0].ports` */
export function pointerToPath(ptr: string): string {
  if (!ptr) return '';
  let out = '';
  for (const raw of ptr.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function describe(e: ErrorObject): SchemaIssue {
  let ptr = e.instancePath;
  let message: string;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      ptr += `/${String(p.missingProperty)}`;
      message = 'Required value';
      break;
    case 'additionalProperties':
      ptr += `/${String(p.additionalProperty)}`;
      message = 'unknown field (not in the schema for this kind)';
      break;
    case 'type':
      message = `must be of type ${String(p.type)}`;
      break;
    case 'pattern':
      message = `invalid value ${JSON.stringify(e.data)}: ${PATTERN_TEXT.get(String(p.pattern)) ?? `must match ${String(p.pattern)}`}`;
      break;
    case 'propertyNames':
      ptr += `/${String(p.propertyName).replace(/~/g, '~0').replace(/\//g, '~1')}`;
      message = `invalid key ${JSON.stringify(p.propertyName)}: ${PATTERN_TEXT.get(String((COMMON_DEFS.LabelKey as Json).pattern))}`;
      break;
    case 'x-udnc-cel':
    case 'x-udnc-list-map-keys':
      ptr += String(p.subPath ?? '');
      message = e.message ?? 'invalid';
      break;
    default:
      message = e.message ?? e.keyword;
  }
  return { path: pointerToPath(ptr), message };
}

/**
 * Fills every `default:` of the kind's schema into `obj`, in place, and returns the field paths it
 * filled. Same rule as ajv's `useDefaults` and the apiserver's structural defaulting: a property
 * with a `default` is set when its parent object exists and the property is absent; defaults are
 * followed through `properties`, `items`, `allOf` and `$ref` (not `anyOf`/`oneOf`, which do not
 * say which branch applies). Done here rather than by ajv so that what was defaulted is recorded
 * without copying every object.
 */
export function applySchemaDefaults(kind: KnownKind, obj: unknown): string[] {
  const out: string[] = [];
  fillDefaults(KIND_SCHEMAS[kind], obj, '', out);
  return out;
}

const COMMON_DEFS = (k8sCommon as { definitions: Record<string, Json> }).definitions;

function deref(schema: Json): Json {
  let s = schema;
  for (let guard = 0; typeof s.$ref === 'string' && guard < 20; guard++) {
    const m = /^k8s-common\.json#\/definitions\/(.+)$/.exec(s.$ref as string);
    const target = m ? COMMON_DEFS[m[1]!] : undefined;
    if (!target) break;
    // Sibling keywords next to $ref (e.g. `default`) stay with the referring schema.
    const { $ref: _ignored, ...rest } = s;
    s = Object.keys(rest).length > 0 ? { ...target, ...rest } : target;
  }
  return s;
}

function fillDefaults(schemaIn: Json, data: unknown, path: string, out: string[]): void {
  if (data === null || typeof data !== 'object') return;
  const schema = deref(schemaIn);
  if (Array.isArray(schema.allOf)) for (const sub of schema.allOf as Json[]) fillDefaults(sub, data, path, out);
  if (Array.isArray(data)) {
    const items = schema.items as Json | undefined;
    if (items && typeof items === 'object' && !Array.isArray(items)) {
      data.forEach((x, i) => fillDefaults(items, x, `${path}[${i}]`, out));
    }
    return;
  }
  const props = schema.properties as Record<string, Json> | undefined;
  if (!props) return;
  const o = data as Record<string, unknown>;
  for (const key of Object.keys(props)) {
    const ps = props[key]!;
    const p = /^[A-Za-z_$][\w$-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
    if (o[key] === undefined) {
      const d = ps.default !== undefined ? ps.default : typeof ps.$ref === 'string' ? deref(ps).default : undefined;
      if (d !== undefined) {
        o[key] = structuredClone(d);
        out.push(p);
      }
      continue;
    }
    fillDefaults(ps, o[key], p, out);
  }
}

/**
 * Validates `obj` against its kind's schema (including CEL rules). Returns every violation.
 * `anyOf` branch failures are reported once, by the combinator, not per branch.
 */
export function validateSchema(kind: KnownKind, obj: unknown): SchemaIssue[] {
  const validate = get(kind);
  if (validate(obj)) return [];
  const errs = validate.errors ?? [];
  // The branch errors of a failed anyOf ("must be integer", "must be string") are noise next
  // to the anyOf's own error for the same value: keep only the anyOf one.
  const anyOfAt = new Set(errs.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const out: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const e of errs) {
    if (anyOfAt.has(e.instancePath) && e.keyword !== 'anyOf') continue;
    if (e.keyword === 'if') continue; // the `then` error already says what is wrong
    // propertyNames reports the key's pattern failure at the map itself, then its own error.
    if (e.keyword === 'pattern' && e.propertyName !== undefined) continue;
    let issue = describe(e);
    if (e.keyword === 'enum') {
      issue = { ...issue, message: `Unsupported value: ${JSON.stringify(valueAt(obj, e.instancePath))}; supported values: ${((e.params as Json).allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    }
    if (e.keyword === 'anyOf') {
      issue = { ...issue, message: `invalid value ${JSON.stringify(valueAt(obj, e.instancePath))}: ${anyOfHint(e.parentSchema)}` };
    }
    if (e.keyword === 'type' || e.keyword === 'anyOf') issue.undecodable = true;
    // A name checked by two formats (e.g. Namespace: label and subdomain) gets one message.
    const key = e.keyword === 'pattern' ? `${issue.path}\u0000pattern` : `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

/** Human wording for the name formats in k8s-common.json (Kubernetes' own messages). */
const PATTERN_TEXT = new Map<string, string>(
  (
    [
      ['DNS1123Label', "must be a lowercase RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"],
      ['DNS1123Subdomain', "must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"],
      ['DNS1035Label', "must be an RFC 1035 label: lowercase letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters"],
      ['LabelKey', "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"],
      ['LabelValue', "must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"],
      ['IANASvcName', "must be an IANA service name: at most 15 lowercase letters, digits and '-', with at least one letter, no '--', not starting or ending with '-'"],
    ] as const
  ).map(([def, text]) => [String((COMMON_DEFS[def] as Json).pattern), text]),
);

function anyOfHint(parentSchema: unknown): string {
  if (JSON.stringify(parentSchema ?? null).includes('IANASvcName')) return 'must be a port number 1-65535 or a port name (IANA_SVC_NAME: at most 15 lowercase letters, digits and "-", at least one letter)';
  return 'must be an integer or a string';
}

function valueAt(obj: unknown, ptr: string): unknown {
  let cur: unknown = obj;
  for (const raw of ptr.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}
