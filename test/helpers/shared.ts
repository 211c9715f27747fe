/**
 * Where the shared reference material lives: $UDNC_SHARED if set, else the copy vendored in the
 * repository (vendor/shared), so a clean clone tests the same data as a developer's workspace.
 */
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const SHARED = process.env.UDNC_SHARED ?? join(REPO_ROOT, 'vendor/shared');
export const sharedPath = (...parts: string[]): string => join(SHARED, ...parts);
