// Agents' sign-in: email + password for an HttpOnly session cookie.
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { agentStatusInput, loginInput } from "../../../schema/api";
import { newSessionToken, sessionCredential } from "../auth/credentials";
import { DUMMY_PASSWORD_HASH, sha256, verifyPassword } from "../auth/crypto";
import { countLoginAttempt } from "../auth/login-limits";
import { deleteSession, findLoginUser, SESSION_TTL_MS } from "../db/accounts";
import { tenantHub, unwrap, type AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { jsonBody } from "../http/input";
import { requireSession, SESSION_COOKIE, sessionCookie } from "../http/middleware";

const badCredentials = () => new ApiError("unauthorized", "Wrong email or password.");

export const authRoutes = new Hono<AppEnv>()
  .post("/auth/login", async (c) => {
    const { email, password } = await jsonBody(c, loginInput);
    await countLoginAttempt(c.env, c.req.raw, email);
    const found = await findLoginUser(c.env.DB, email);
    // Verify against a dummy hash when there is no such user, so timing does not reveal accounts.
    const valid = await verifyPassword(password, found?.user.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!found || !valid || found.user.disabledAt !== null) throw badCredentials();
    const { user, tenant } = found;
    const token = newSessionToken(tenant.id);
    const identity = { id: user.id, name: user.name, email: user.email, role: user.role };
    await tenantHub(c.env, tenant.id).createSession(
      { id: tenant.id, name: tenant.name },
      identity,
      await sha256(token),
      Date.now() + SESSION_TTL_MS,
    );
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(c.req.url).protocol === "https:",
      path: "/",
      maxAge: SESSION_TTL_MS / 1000,
    });
    return c.json({ user: identity, tenant: { id: tenant.id, name: tenant.name } });
  })
  .post("/auth/logout", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const credential = token ? await sessionCredential(c.env.DB, token) : null;
    // The session ends in its tenant object, and the sockets opened with it end with it.
    if (credential) await tenantHub(c.env, credential.tenantId).endSession(credential.hash);
    if (credential?.legacy) await deleteSession(c.env.DB, credential.hash);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  })
  .get("/me", requireSession, async (c) => {
    const { user, tenant } = c.var.session;
    const status = await tenantHub(c.env, tenant.id).agentStatus(user.id);
    return c.json({ user: { ...user, status }, tenant });
  })
  // Online or away: auto-routing gives work only to agents online with the inbox open.
  .put("/me/status", sessionCookie, async (c) => {
    const { status } = await jsonBody(c, agentStatusInput);
    const { credential } = c.var;
    return c.json(
      unwrap(await tenantHub(c.env, credential.tenantId).setStatus(credential, status)),
    );
  });
