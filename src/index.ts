/**
 * udnc library API. Each stage is one folder under src/ with one entry function;
 * stages exchange plain typed data.
 */
export type { SourceRef, ObjectRef } from './common/source.js';
export type { Diagnostic } from './common/errors.js';
export { InputError, EXIT } from './common/errors.js';
export type * from './manifests/types.js';
export type * from './model/types.js';
export type * from './model/k8s.js';
