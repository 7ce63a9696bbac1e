// Sealing channel credentials at rest: AES-256-GCM under the Worker secret CHANNEL_SECRET_KEY
// (32 random bytes, base64). A sealed value is "v1.<iv>.<ciphertext>" in base64url, bound to the
// channel's id (additional data), so a sealed blob copied onto another channel does not open.

const ALGORITHM = "AES-GCM";
const keys = new Map<string, Promise<CryptoKey>>();

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => {
  const normal = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(normal + "=".repeat((4 - (normal.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

export class SecretKeyMissing extends Error {
  constructor() {
    super("CHANNEL_SECRET_KEY is not set: channels cannot store their credentials.");
  }
}

function key(secret: string | undefined): Promise<CryptoKey> {
  if (!secret) throw new SecretKeyMissing();
  let found = keys.get(secret);
  if (!found) {
    const raw = fromBase64(secret.trim());
    if (raw.length !== 32) throw new Error("CHANNEL_SECRET_KEY must be 32 bytes, base64.");
    found = crypto.subtle.importKey("raw", raw, ALGORITHM, false, ["encrypt", "decrypt"]);
    keys.set(secret, found);
  }
  return found;
}

export async function seal(secret: string | undefined, boundTo: string, value: unknown) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new TextEncoder().encode(JSON.stringify(value));
  const additionalData = new TextEncoder().encode(boundTo);
  const sealed = await crypto.subtle.encrypt(
    { name: ALGORITHM, iv, additionalData },
    await key(secret),
    data,
  );
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** The sealed value, or throws when it was sealed under another key or for another channel. */
export async function open(secret: string | undefined, boundTo: string, sealed: string) {
  const [version, iv, body] = sealed.split(".");
  if (version !== "v1" || !iv || !body) throw new Error("Not a sealed value.");
  const additionalData = new TextEncoder().encode(boundTo);
  const plain = await crypto.subtle.decrypt(
    { name: ALGORITHM, iv: fromBase64(iv), additionalData },
    await key(secret),
    fromBase64(body),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as unknown;
}
