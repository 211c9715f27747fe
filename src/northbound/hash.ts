/**
 * ovn-kubernetes' hashed object names: `util.HashForOVN(s)` = "a" + decimal FNV-1a-64 of s
 * (pkg/util/util.go). Port_Group and Address_Set names are HashForOVN of their DbObjectIDs id.
 */
const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a 64-bit over the UTF-8 bytes of s. */
export function fnv1a64(s: string): bigint {
  let h = FNV64_OFFSET;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h;
}

export function hashForOVN(s: string): string {
  return `a${fnv1a64(s).toString(10)}`;
}
