// A throwaway test PKI, made at run time (nothing secret is ever committed):
// a CA, one server certificate it signs for the providers' real host names
// (the worker keeps Apple's and Google's names as TLS servername while its
// connections are dialled here), and the APNs .p8 signing key.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "selfsigned";

/** Host names the server certificate covers. */
export const STANDIN_HOSTS = [
  "fcm.googleapis.com",
  "api.push.apple.com",
  "api.sandbox.push.apple.com",
  "localhost",
];

export interface TestPki {
  dir: string;
  caPem: string;
  caFile: string;
  certPem: string;
  keyPem: string;
  /** APNs token-auth key (PKCS#8 PEM, what Apple's .p8 file holds) and its public half. */
  apnsKeyPem: string;
  apnsKeyFile: string;
  apnsPublicKeyPem: string;
}

const FILES = ["ca.pem", "server.pem", "server-key.pem", "apns-key.p8", "apns-key.pub.pem"];

/**
 * Creates the PKI in `dir` (a new temp folder by default). With `reuse`, files
 * already in `dir` are kept, so a worker configured with the CA file keeps
 * trusting stand-ins that were restarted.
 */
export async function createTestPki(
  opts: { dir?: string; reuse?: boolean } = {},
): Promise<TestPki> {
  const dir =
    opts.dir ?? path.join(tmpdir(), `relay-push-standins-${randomBytes(4).toString("hex")}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(dir, name);
  if (!(opts.reuse && FILES.every((f) => existsSync(file(f))))) {
    const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
    const ca = await generate([{ name: "commonName", value: "Relay push stand-in test CA" }], {
      keyType: "ec",
      algorithm: "sha256",
      notAfterDate: notAfter,
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        {
          name: "keyUsage",
          keyCertSign: true,
          cRLSign: true,
          digitalSignature: true,
          critical: true,
        },
      ],
    });
    const server = await generate([{ name: "commonName", value: "relay-push-standin" }], {
      keyType: "ec",
      algorithm: "sha256",
      notAfterDate: notAfter,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            ...STANDIN_HOSTS.map((value) => ({ type: 2 as const, value })),
            { type: 7 as const, ip: "127.0.0.1" },
          ],
        },
      ],
    });
    const apns = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    writeFileSync(file("ca.pem"), ca.cert);
    writeFileSync(file("server.pem"), server.cert);
    writeFileSync(file("server-key.pem"), server.private, { mode: 0o600 });
    writeFileSync(
      file("apns-key.p8"),
      apns.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      { mode: 0o600 },
    );
    writeFileSync(
      file("apns-key.pub.pem"),
      apns.publicKey.export({ type: "spki", format: "pem" }).toString(),
    );
  }
  return {
    dir,
    caPem: readFileSync(file("ca.pem"), "utf8"),
    caFile: file("ca.pem"),
    certPem: readFileSync(file("server.pem"), "utf8"),
    keyPem: readFileSync(file("server-key.pem"), "utf8"),
    apnsKeyPem: readFileSync(file("apns-key.p8"), "utf8"),
    apnsKeyFile: file("apns-key.p8"),
    apnsPublicKeyPem: readFileSync(file("apns-key.pub.pem"), "utf8"),
  };
}
