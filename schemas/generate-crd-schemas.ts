/**
 * Regenerates the CRD-derived JSON schemas in this folder from the upstream CRD YAML.
 *   npx tsx schemas/generate-crd-schemas.ts [CRD_DIR]   (default vendor/shared/schemas)
 * test/manifests.schemas.test.ts checks the committed files are what this produces.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyExperimentalOverlay, CRD_SOURCES } from '../src/manifests/crd-sources.js';
import { crdToJsonSchema } from '../src/manifests/crd.js';

const here = dirname(fileURLToPath(import.meta.url));
const crdDir = process.argv[2] ?? 'vendor/shared/schemas';
for (const s of CRD_SOURCES) {
  const schema = crdToJsonSchema(readFileSync(join(crdDir, s.crdFile), 'utf8'), s.version, s.schemaFile);
  applyExperimentalOverlay(s.kind, schema);
  writeFileSync(join(here, s.schemaFile), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`${s.crdFile} ${s.version} -> schemas/${s.schemaFile}`);
}
