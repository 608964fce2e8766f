/**
 * The benchmark fails loudly when a vendor-floor key regresses (bench/bench.ts floorRegressions): each key above its
 * floor gives a line naming N, the key, its value and the limit; a run at the floor gives none.
 */
import { expect } from "chai";
import { floorRegressions } from "../../bench/bench";

/** A --json line at the vendor floor (the keys floorRegressions reads). */
const atFloor = () => ({
  n: 200,
  oktaCallsPerBinding: 1,
  oktaCallsPerFloor: 1,
  resolve: "id",
  cerbyCallsPerFloor: 1,
  tokensPerProcess: 1,
  seen429s: 0,
  surfaced429s: 0,
  nullVendorCalls: 0,
  errors: 0,
  phases: { up: {}, converged: {}, refresh: {}, destroy: {} },
});

describe("bench: vendor-floor regressions", () => {
  it("a run at the floor passes", () => {
    expect(floorRegressions(atFloor(), "oauth")).to.deep.equal([]);
  });

  it("by label, the identity re-read (N + ⌈N/200⌉ calls) is at the floor; one call more is not", () => {
    const byLabel = { ...atFloor(), resolve: "label", oktaCallsPerBinding: 1.005 };
    expect(floorRegressions(byLabel, "oauth")).to.deep.equal([]);
    expect(floorRegressions({ ...byLabel, oktaCallsPerFloor: 1.005 }, "oauth")[0]).to.match(/oktaCallsPerFloor/);
  });

  for (const [key, value, limit] of [
    ["oktaCallsPerBinding", 2, 1],
    ["oktaCallsPerFloor", 1.5, 1],
    ["cerbyCallsPerFloor", 1.5, 1],
    ["tokensPerProcess", 2, 1],
    ["seen429s", 1, 0],
    ["surfaced429s", 1, 0],
    ["nullVendorCalls", 3, 0],
  ] as const) {
    it(`${key} above its floor fails, naming N, the key, the value and the limit`, () => {
      const lines = floorRegressions({ ...atFloor(), [key]: value }, "oauth");
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(new RegExp(`^N=200: ${key} ${value} > ${limit} \\(`));
    });
  }

  it("with an API token, any token request is a regression", () => {
    expect(floorRegressions({ ...atFloor(), tokensPerProcess: 0 }, "ssws")).to.deep.equal([]);
    expect(floorRegressions(atFloor(), "ssws")[0]).to.match(/tokensPerProcess 1 > 0/);
  });

  it("a failed command fails the run, with its first error", () => {
    const s = { ...atFloor(), errors: 1, phases: { refresh: { firstError: "error: boom\nmore" } } };
    expect(floorRegressions(s, "oauth")).to.deep.equal(["N=200: 1 command(s) failed; first: error: boom"]);
  });
});
