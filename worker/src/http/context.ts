// Hono's typed context for this app, and the way routes reach a tenant's Durable Object.
import type { Credential } from "../auth/credentials";
import type { SessionInfo } from "../tenant/access";
import type { Result } from "../tenant/types";
import { ApiError } from "./errors";

export interface AppEnv {
  Bindings: Env;
  Variables: { session: SessionInfo; credential: Credential; key: Credential };
}

export function tenantHub(env: Env, tenantId: string) {
  return env.TENANT.get(env.TENANT.idFromName(tenantId));
}

/** The value of a tenant object's answer, or its documented error thrown for app.onError. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw ApiError.from(result.error);
  return result.value;
}
