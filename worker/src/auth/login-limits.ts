// Login throttling, checked before any password is hashed (hashing is the expensive part an
// attacker wants us to do). Two Workers rate limiting bindings, each counting every attempt:
// - LOGIN_IP_LIMITER, 30 a minute per client: password spraying (many emails from one place).
//   A binding counts calls and cannot be asked without counting, so "failed attempts" is
//   enforced by counting every attempt before the hash: no client ever gets more than 30
//   failures a minute, at the price of an office behind one address getting at most 30
//   sign-ins a minute (sessions last two weeks, so that is ample).
// - LOGIN_LIMITER, 10 a minute per account *and* client: guessing one password. Keyed with the
//   client too, so an attacker exhausting it elsewhere does not lock the real agent out.
import { ApiError } from "../http/errors";

/** What Cloudflare sets on every request; absent only when the Worker is called directly (tests, scripts). */
export const CLIENT_IP_HEADER = "cf-connecting-ip";
const UNKNOWN_CLIENT = "unknown";

/**
 * The throttling key for a client address: an IPv4 address as is, an IPv6 address by its /64
 * (one subscriber's network, whose 2^64 addresses would otherwise each get a fresh allowance).
 */
export function clientKey(ip: string | null | undefined): string {
  const raw = ip?.trim().toLowerCase() ?? "";
  if (raw === "") return UNKNOWN_CLIENT;
  if (!raw.includes(":")) return raw;
  const hextets = expandIpv6(raw);
  if (!hextets) return raw.slice(0, 64);
  // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is the IPv4 client.
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [hi, lo] = [hextets[6]!, hextets[7]!];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
  }
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(":")}::/64`;
}

function expandIpv6(address: string): number[] | null {
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string | undefined): number[] | null => {
    if (!part) return [];
    const out: number[] = [];
    for (const group of part.split(":")) {
      if (group.includes(".")) {
        const octets = group.split(".").map(Number);
        if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255))
          return null;
        out.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
      } else if (/^[0-9a-f]{1,4}$/.test(group)) {
        out.push(parseInt(group, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...Array<number>(missing).fill(0), ...tail];
}

/** Counts this attempt against both limits; throws 429 rate_limited when either is spent. */
export async function countLoginAttempt(env: Env, request: Request, email: string): Promise<void> {
  const client = clientKey(request.headers.get(CLIENT_IP_HEADER));
  const fromClient = await env.LOGIN_IP_LIMITER.limit({ key: client });
  if (!fromClient.success)
    throw new ApiError("rate_limited", "Too many login attempts from your network; wait a minute.");
  const account = email.trim().toLowerCase();
  const onAccount = await env.LOGIN_LIMITER.limit({ key: `${account} ${client}` });
  if (!onAccount.success)
    throw new ApiError("rate_limited", "Too many login attempts for this account; wait a minute.");
}
