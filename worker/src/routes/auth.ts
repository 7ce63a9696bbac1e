// Agents' sign-in: email + password for an HttpOnly session cookie.
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { loginInput } from "../../../schema/api";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../auth/crypto";
import { countLoginAttempt } from "../auth/login-limits";
import { createSession, deleteSession, sessionByToken, SESSION_TTL_MS } from "../db/accounts";
import { findLoginUser } from "../db/accounts";
import { tenantHub, type AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { jsonBody } from "../http/input";
import { requireSession, SESSION_COOKIE } from "../http/middleware";

const badCredentials = () => new ApiError("unauthorized", "Wrong email or password.");

export const authRoutes = new Hono<AppEnv>()
  .post("/auth/login", async (c) => {
    const { email, password } = await jsonBody(c, loginInput);
    await countLoginAttempt(c.env, c.req.raw, email);
    const found = await findLoginUser(c.env.DB, email);
    // Verify against a dummy hash when there is no such user, so timing does not reveal accounts.
    const valid = await verifyPassword(password, found?.user.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!found || !valid || found.user.disabledAt !== null) throw badCredentials();
    const token = await createSession(c.env.DB, found.user.id, found.tenant.id, Date.now());
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(c.req.url).protocol === "https:",
      path: "/",
      maxAge: SESSION_TTL_MS / 1000,
    });
    const { user, tenant } = found;
    return c.json({
      user: { id: user.id, name: user.name, email: user.email, role: user.role },
      tenant: { id: tenant.id, name: tenant.name },
    });
  })
  .post("/auth/logout", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await sessionByToken(c.env.DB, token, Date.now()) : null;
    if (token) await deleteSession(c.env.DB, token);
    // Sockets opened with this session end with it.
    if (session) await tenantHub(c.env, session.tenant.id).disconnectSession(session.session.id);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  })
  .get("/me", requireSession, (c) => {
    const { user, tenant } = c.var.session;
    return c.json({ user, tenant });
  });
