// Login throttling: 30 attempts a minute per client address (password spraying), 10 a minute per
// account and address (guessing one password), so an attacker elsewhere cannot lock an agent out.
import { describe, expect, it } from "vitest";
import { clientKey } from "../../worker/src/auth/login-limits";
import { call, deskOf, expectError, freshIp, json, withinOneWindow } from "./client";
import { makeTenant, PASSWORD } from "./fixtures";
import type { Me } from "./answers";

const attempt = (email: string, password: string, ip: string) =>
  call("/api/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": ip } });

const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();

async function expectRefused(res: Response): Promise<void> {
  expect(res.headers.get("set-cookie")).toBeNull();
  await expectError(res, 429, "rate_limited");
}

describe("login limits per client address", () => {
  it(
    "of 40 attempts on 40 accounts from one address, exactly 30 are checked and 10 refused; the next, even right, is refused",
    { timeout: 60_000 },
    async () => {
      const t = await makeTenant();
      const sprayer = freshIp();
      await withinOneWindow(60, 20_000);
      const emails = Array.from({ length: 40 }, (_, i) =>
        i % 4 === 0
          ? [t.alice, t.bob, t.admin, t.viewer][(i / 4) % 4]!.email
          : `nobody${i}@${t.id}.test`,
      );
      const responses = await Promise.all(
        emails.map((email) => attempt(email, "Spring2026!", sprayer)),
      );
      expect(statuses(responses)).toEqual([
        ...Array<number>(30).fill(401),
        ...Array<number>(10).fill(429),
      ]);
      for (const res of responses.filter((r) => r.status === 429)) await expectRefused(res);

      // The right password from that address does not get past the limit.
      await expectRefused(await attempt(t.alice.email, PASSWORD, sprayer));
      // Everyone else, elsewhere, logs in as usual.
      expect((await attempt(t.alice.email, PASSWORD, deskOf(t.alice))).status).toBe(200);
      expect((await attempt(t.bob.email, PASSWORD, freshIp())).status).toBe(200);
    },
  );

  it("an IPv6 client is one client across its /64", { timeout: 60_000 }, async () => {
    const t = await makeTenant();
    const [a, b] = crypto.getRandomValues(new Uint16Array(2));
    const net = `2001:db8:${a!.toString(16)}:${b!.toString(16)}`;
    await withinOneWindow(60, 20_000);
    const addresses = Array.from({ length: 30 }, (_, i) =>
      i % 2 ? `${net}::${(i + 1).toString(16)}` : `${net}:${i}:0:0:${i + 1}`,
    );
    const responses = await Promise.all(
      addresses.map((ip, i) => attempt(`nobody${i}@${t.id}.test`, "password1", ip)),
    );
    expect(statuses(responses)).toEqual(Array<number>(30).fill(401));
    await expectRefused(await attempt(t.alice.email, PASSWORD, `${net}:ffff:ffff:ffff:ffff`));
    // The neighbouring /64 is another client.
    expect(
      (
        await attempt(
          t.alice.email,
          PASSWORD,
          `2001:db8:${a!.toString(16)}:${((b! + 1) & 0xffff).toString(16)}::1`,
        )
      ).status,
    ).toBe(200);
  });

  it("addresses are keyed as the client they name", () => {
    expect(clientKey("203.0.113.9")).toBe("203.0.113.9");
    expect(clientKey("2001:DB8:0:1:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:0:1::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::ffff:198.51.100.4")).toBe("198.51.100.4");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey(null)).toBe("unknown");
    expect(clientKey("")).toBe("unknown");
    expect(clientKey("not:an::add::ress")).toBe("not:an::add::ress");
  });
});

describe("login limits per account and client address", () => {
  it(
    "an attacker spending alice's allowance from elsewhere does not stop alice logging in from her desk",
    { timeout: 60_000 },
    async () => {
      const t = await makeTenant();
      const attacker = freshIp();
      await withinOneWindow(60, 20_000);
      // Spelling the address differently does not get a fresh allowance.
      const spellings = [t.alice.email, t.alice.email.toUpperCase(), ` ${t.alice.email} `];
      const responses = await Promise.all(
        Array.from({ length: 15 }, (_, i) => attempt(spellings[i % 3]!, `guess ${i}`, attacker)),
      );
      expect(statuses(responses)).toEqual([
        ...Array<number>(10).fill(401),
        ...Array<number>(5).fill(429),
      ]);
      await expectRefused(await attempt(t.alice.email, PASSWORD, attacker));

      const own = await attempt(t.alice.email, PASSWORD, deskOf(t.alice));
      expect(own.status).toBe(200);
      const cookie = (own.headers.get("set-cookie") ?? "").split(";")[0]!;
      expect((await json<Me>("/api/me", { cookie, status: 200 })).user.id).toBe(t.alice.id);
      // The attacker's address may still try other accounts (16 of its 30 spent).
      expect((await attempt(t.bob.email, PASSWORD, attacker)).status).toBe(200);
    },
  );
});
