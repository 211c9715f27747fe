/**
 * Golden files for a hand-built model (test/data/northbound/model.ts richModel): listing, transact
 * and nbctl. They pin udnc's own output against accidental change; they are not an ovn-kubernetes
 * oracle (that is northbound.match/lower). Regenerate with UDNC_UPDATE_GOLDEN=1 after an intended change.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatListing, formatNbctl, formatTransact, lowerToNorthbound } from '../src/northbound/index.js';
import { richModel } from './data/northbound/model.js';

const DIR = join('test', 'data', 'northbound');
const UPDATE = process.env.UDNC_UPDATE_GOLDEN === '1';

describe('northbound goldens (richModel)', () => {
  const db = lowerToNorthbound(richModel());
  it.each([
    ['rich.listing.txt', formatListing(db)],
    ['rich.transact.json', formatTransact(db)],
    ['rich.nbctl.sh', formatNbctl(db)],
  ])('%s', (file, text) => {
    const path = join(DIR, file);
    if (UPDATE || !existsSync(path)) writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, 'utf8'));
  });
});
