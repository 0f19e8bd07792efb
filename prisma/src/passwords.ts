// Password hashing for every place that stores or checks a password (sign-up,
// sign-in, the demo seed): Argon2id with the OWASP-recommended defaults of
// @node-rs/argon2 (m=19 MiB, t=2, p=1).
import { hash, verify } from "@node-rs/argon2";

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False for a wrong password or an unusable hash; never throws on bad input. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
