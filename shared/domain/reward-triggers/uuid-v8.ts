/**
 * RFC 9562 UUID version 8 ("custom"), whose appendix B.2 is this very use: a name-based UUID from SHA-256.
 * The first 128 bits of a digest, with the version and variant bits set, formatted as a GUID: the shape the
 * marketplace expects for `X-Request-ID` and `agent_id` (spec 004 section 2's example).
 */
export function uuidV8FromDigest(digest: Uint8Array): string {
  if (digest.length < 16) throw new Error('a UUID needs at least 128 bits of digest');
  const bytes = Uint8Array.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10xx
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
