// A handoff keyword counts only as a whole word, in any case and script: "HUMAN" and "agent."
// ask for a person, "Humano?" and "inhuman" do not ask for "human".
import { describe, expect, it } from "vitest";
import { foldCase, handoffKeywordMatch } from "../../worker/src/channels/keywords";

const DEFAULTS = ["human", "agent", "person"];

describe("handoff keywords", () => {
  it.each([
    ["I want a human", DEFAULTS, true],
    ["HUMAN", DEFAULTS, true],
    ["Human?", DEFAULTS, true],
    ["let me talk to an agent.", DEFAULTS, true],
    ["(agent)", DEFAULTS, true],
    ["agent,please", DEFAULTS, true],
    ["human-agent now", DEFAULTS, true],
    ["Humano?", DEFAULTS, false],
    ["inhuman service", DEFAULTS, false],
    ["agents are busy", DEFAULTS, false],
    ["personal data", DEFAULTS, false],
    ["human2", DEFAULTS, false],
    ["", DEFAULTS, false],
    ["Ich will einen Menschen", ["Mensch"], false],
    ["Mensch, bitte!", ["mensch"], true],
    ["ЧЕЛОВЕК", ["человек"], true],
    ["Позовите человека", ["человек"], false],
    ["Quiero hablar con una PERSONA", ["persona"], true],
    ["İnsan lütfen", ["insan"], true],
    ["INSAN", ["insan"], true],
    ["ınsan", ["insan"], true],
    ["bir insan", ["İnsan"], true],
    ["insanlar", ["insan"], false],
    ["STRASSE", ["straße"], true],
    ["ＨＵＭＡＮ", DEFAULTS, true],
    ["cafe\u0301 help", ["café"], true],
    ["café", ["cafe"], false],
    ["I need a REAL   person!", ["real person"], true],
    ["a real\nperson", ["Real Person"], true],
    ["real personality", ["real person"], false],
    ["surreal person", ["real person"], false],
    ["我要人工客服", ["人工"], true],
    ["人工", ["人工客服"], false],
    ["I code c++ daily", ["c++"], true],
    ["abi", ["a.i"], false],
    ["anything", [], false],
    ["human", ["", "   "], false],
  ])("%j with %j → %s", (text, keywords, expected) => {
    expect(handoffKeywordMatch(text, keywords)).toBe(expected);
  });

  it("folds case without any locale: dotted and dotless i meet, ß meets SS", () => {
    expect(foldCase("İSTANBUL")).toBe("istanbul");
    expect(foldCase("ıstanbul")).toBe("istanbul");
    expect(foldCase("Straße")).toBe("strasse");
    expect(foldCase("ΟΔΟΣ")).toBe(foldCase("οδος"));
  });
});
