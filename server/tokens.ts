import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new bearer token: 32 random bytes, URL-safe, with a prefix that makes leaks greppable. */
export function generateToken(): string {
  return `crm_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are long random strings, so an unsalted SHA-256 is enough to make the stored value useless. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Opaque, sortable-enough, collision-free ids with a type prefix (`con_…`, `act_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
