// Opaque, unguessable identifiers with a readable prefix.
export function newId(prefix: string, bytes = 12): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of raw) out += b.toString(16).padStart(2, "0");
  return `${prefix}_${out}`;
}
