// The request a page, server action or route handler sees in these tests.
// Next.js gives server code its request through next/headers; outside a Next
// server there is none, so the test files mock next/headers (and next/cache,
// whose revalidatePath needs Next's render store) with what is set here.
// Everything else is real: the session cookies come from next-auth's own
// sign-in handler, and the users, roles and audit rows from Postgres.

export const current = { headers: new Headers() };
export const revalidated: string[] = [];

/** The next calls run as a browser sending these cookies (and IP / user agent). */
export function actAs(cookie: string | null, extra: Record<string, string> = {}) {
  current.headers = new Headers({
    "x-relay-client-ip": "198.51.100.23",
    "user-agent": "admin-tests",
    ...(cookie ? { cookie } : {}),
    ...extra,
  });
}

function cookieStore() {
  const parsed = new Map<string, string>();
  for (const part of (current.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) parsed.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return {
    get: (name: string) => (parsed.has(name) ? { name, value: parsed.get(name)! } : undefined),
    getAll: () => [...parsed].map(([name, value]) => ({ name, value })),
    has: (name: string) => parsed.has(name),
    set: () => undefined,
    delete: () => undefined,
  };
}

export const nextHeadersMock = {
  headers: () => Promise.resolve(current.headers),
  cookies: () => Promise.resolve(cookieStore()),
};

export const nextCacheMock = {
  revalidatePath: (path: string) => {
    revalidated.push(path);
  },
  revalidateTag: () => undefined,
  refresh: () => undefined,
};
