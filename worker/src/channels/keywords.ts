// Whether a contact's message asks for a person: one of the channel's handoff keywords appears in
// it as a whole word (or words), whatever the case and the script.
//
// Case: both sides are folded the same way, independent of any locale (a channel's contacts write
// in many languages at once): compatibility-normalised (NFKC, so full-width "ＨＵＭＡＮ" is
// "HUMAN"), upper-cased then lower-cased (so "ß" and "SS" meet, and Greek final sigma settles),
// and the dotted and dotless i are taken as one letter: "İnsan", "INSAN", "insan" and "ınsan" all
// match the keyword "insan". Turkish-aware lower-casing (toLocaleLowerCase("tr")) would instead
// make "INSAN" read "ınsan" and miss, and plain toLowerCase turns "İ" into "i" plus a combining
// dot; a keyword is about intent, so the looser match is the right one.
//
// Words: a keyword matches only where no letter, digit or combining mark touches it on either
// side ("human" is in "Human?" and "a human." but not in "humano" or "inhuman"); a keyword of
// several words matches across any run of spaces ("real  person"). Scripts written without spaces
// between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) have no such edges, so an edge
// of the keyword in one of them needs none.

const WORD_CHAR = String.raw`[\p{L}\p{N}\p{M}]`;
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** The locale-independent fold both the text and the keywords go through. */
export function foldCase(text: string): string {
  return text
    .normalize("NFKC")
    .toUpperCase()
    .toLowerCase()
    .replace(/i\u0307/g, "i")
    .normalize("NFC");
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

function keywordPattern(keyword: string): string | null {
  const words = foldCase(keyword).split(/\s+/u).filter(Boolean);
  const first = words[0];
  const last = words.at(-1);
  if (!first || !last) return null;
  const body = words.map(escapeRegExp).join(String.raw`\s+`);
  const before = UNSPACED_SCRIPT.test(first[0] ?? "") ? "" : `(?<!${WORD_CHAR})`;
  const after = UNSPACED_SCRIPT.test(last.at(-1) ?? "") ? "" : `(?!${WORD_CHAR})`;
  return `${before}${body}${after}`;
}

/** Whether any keyword appears in `text` as a whole word (see above). Blank keywords never do. */
export function handoffKeywordMatch(text: string, keywords: string[]): boolean {
  const patterns = keywords.map(keywordPattern).filter((p): p is string => p !== null);
  if (patterns.length === 0) return false;
  return new RegExp(patterns.join("|"), "u").test(foldCase(text));
}
