// Worker secrets (set with `wrangler secret put`, never in wrangler.toml), so `wrangler types`
// does not list them.
interface Env {
  /** 32 random bytes, base64: seals channel credentials at rest (auth/secret-box.ts). */
  CHANNEL_SECRET_KEY?: string;
}
