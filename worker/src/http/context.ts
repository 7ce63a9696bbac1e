// Hono's typed context for this app, and the way routes reach a tenant's Durable Object.
import type { BotAuth } from "../db/bots";
import type { SessionInfo } from "../db/accounts";

export interface AppEnv {
  Bindings: Env;
  Variables: { session: SessionInfo; bot: BotAuth };
}

export function tenantHub(env: Env, tenantId: string) {
  return env.TENANT.get(env.TENANT.idFromName(tenantId));
}
