// Which tenant a session cookie or API key belongs to, worked out without D1 on the hot path.
// New tokens carry their tenant's id in the clear (`<tenant>.<secret>`, keys `hk_<tenant>.<secret>`);
// only the tenant object, which keeps every session and key of its tenant, decides whether a
// token is valid, so logout and revocation take effect at once. Tokens made before the tenant
// was carried in them are looked up in D1 once per isolate (the tenant of a token never changes).
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { apiKeys, sessions } from "../../../schema/tables";
import { randomToken, sha256 } from "./crypto";

export const credential = z.object({
  tenantId: z.string(),
  /** SHA-256 of the whole token: what is stored, so a leaked table leaks no live token. */
  hash: z.string(),
  /** Made before tokens carried their tenant: the tenant object may have to ask D1 about it once. */
  legacy: z.boolean(),
});
export type Credential = z.infer<typeof credential>;

const KEY_PREFIX = "hk_";
const VISITOR_PREFIX = "wv_";
const LEGACY_CACHE_LIMIT = 10_000;
const legacyTenants = new Map<string, string>();

export function newSessionToken(tenantId: string): string {
  return `${tenantId}.${randomToken()}`;
}

export function newApiKey(tenantId: string): string {
  return `${KEY_PREFIX}${tenantId}.${randomToken(24)}`;
}

/** The tenant named in a token (the secret part never contains a dot), or null for an old one. */
function carriedTenant(token: string): string | null {
  const dot = token.lastIndexOf(".");
  return dot > 0 && dot < token.length - 1 ? token.slice(0, dot) : null;
}

/** The credential of a token: its tenant as carried, or (an old token) as D1 knows it. */
async function credentialOf(
  hash: string,
  carried: string | null,
  lookup: () => Promise<string | undefined>,
): Promise<Credential | null> {
  const tenantId = carried ?? (await legacyTenant(hash, lookup));
  return tenantId ? { tenantId, hash, legacy: carried === null } : null;
}

async function legacyTenant(
  hash: string,
  lookup: () => Promise<string | undefined>,
): Promise<string | null> {
  const cached = legacyTenants.get(hash);
  if (cached) return cached;
  const tenantId = await lookup();
  if (!tenantId) return null;
  if (legacyTenants.size >= LEGACY_CACHE_LIMIT) legacyTenants.clear();
  legacyTenants.set(hash, tenantId);
  return tenantId;
}

export async function sessionCredential(d1: D1Database, token: string): Promise<Credential | null> {
  const hash = await sha256(token);
  return credentialOf(hash, carriedTenant(token), async () => {
    const [row] = await drizzle(d1)
      .select({ tenantId: sessions.tenantId })
      .from(sessions)
      .where(eq(sessions.id, hash))
      .limit(1);
    return row?.tenantId;
  });
}

export async function keyCredential(d1: D1Database, key: string): Promise<Credential | null> {
  const hash = await sha256(key);
  const carried = key.startsWith(KEY_PREFIX) ? carriedTenant(key.slice(KEY_PREFIX.length)) : null;
  return credentialOf(hash, carried, async () => {
    const [row] = await drizzle(d1)
      .select({ tenantId: apiKeys.tenantId })
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, hash))
      .limit(1);
    return row?.tenantId;
  });
}

/** A website visitor's token: `wv_<tenant>.<secret>`; only its hash is kept. */
export function newVisitorToken(tenantId: string): string {
  return `${VISITOR_PREFIX}${tenantId}.${randomToken()}`;
}

/** The credential of a visitor token; null when it is not one (never a D1 read). */
export async function visitorCredential(token: string): Promise<Credential | null> {
  if (!token.startsWith(VISITOR_PREFIX) || token.length > 300) return null;
  const tenantId = carriedTenant(token.slice(VISITOR_PREFIX.length));
  return tenantId ? { tenantId, hash: await sha256(token), legacy: false } : null;
}
