/**
 * OVS lib/hash.h (the portable murmur path, as in the Debian OVS 3.5 build the oracle runs):
 * hash_2words(), used by ovn-controller's lflow-conj-ids.c to pick a conjunction id block.
 */
const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;
const mul = (a: number, b: number): number => Math.imul(a, b) >>> 0;

function mhashAdd(hash: number, data: number): number {
  let d = mul(data >>> 0, 0xcc9e2d51);
  d = rotl(d, 15);
  d = mul(d, 0x1b873593);
  let h = (hash ^ d) >>> 0;
  h = rotl(h, 13);
  return (mul(h, 5) + 0xe6546b64) >>> 0;
}

function mhashFinish(hash: number): number {
  let h = hash >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** hash_2words(x, y) = hash_finish(hash_add(hash_add(x, 0), y), 8). */
export function hash2words(x: number, y: number): number {
  return mhashFinish(mhashAdd(mhashAdd(x >>> 0, 0), y >>> 0) ^ 8);
}

/** First 32 bits of a UUID string (uuid.parts[0]). */
export const uuidPart0 = (uuid: string): number => parseInt(uuid.slice(0, 8), 16) >>> 0;
