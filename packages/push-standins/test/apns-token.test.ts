// The APNs stand-in accepts only provider tokens Apple would accept.
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyProviderToken } from "../src/apns";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
function jwt(header: object, payload: object, key = privateKey) {
  const head = `${b64(header)}.${b64(payload)}`;
  const sig = sign("sha256", Buffer.from(head), { key, dsaEncoding: "ieee-p1363" });
  return `${head}.${sig.toString("base64url")}`;
}
const now = Math.floor(Date.now() / 1000);
const expect_ = { teamId: "TEAM", keyId: "KEY" };

describe("verifyProviderToken", () => {
  it("accepts ES256 from the right team and key, issued within the hour", () => {
    expect(
      verifyProviderToken(
        jwt({ alg: "ES256", kid: "KEY" }, { iss: "TEAM", iat: now }),
        publicKey,
        expect_,
      ),
    ).toBe(true);
  });
  it("refuses another key, team, algorithm, a stale token and garbage", () => {
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    expect(
      verifyProviderToken(
        jwt({ alg: "ES256", kid: "KEY" }, { iss: "TEAM", iat: now }, other),
        publicKey,
        expect_,
      ),
    ).toBe(false);
    expect(
      verifyProviderToken(
        jwt({ alg: "ES256", kid: "KEY" }, { iss: "EVIL", iat: now }),
        publicKey,
        expect_,
      ),
    ).toBe(false);
    expect(
      verifyProviderToken(
        jwt({ alg: "ES256", kid: "OTHER" }, { iss: "TEAM", iat: now }),
        publicKey,
        expect_,
      ),
    ).toBe(false);
    expect(
      verifyProviderToken(
        jwt({ alg: "HS256", kid: "KEY" }, { iss: "TEAM", iat: now }),
        publicKey,
        expect_,
      ),
    ).toBe(false);
    expect(
      verifyProviderToken(
        jwt({ alg: "ES256", kid: "KEY" }, { iss: "TEAM", iat: now - 7200 }),
        publicKey,
        expect_,
      ),
    ).toBe(false);
    expect(verifyProviderToken("not.a.jwt", publicKey, expect_)).toBe(false);
  });
});
