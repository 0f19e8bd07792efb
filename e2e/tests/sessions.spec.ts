// Sign-out ends the session on the server, as a browser sees it: a copy of
// the session cookie taken before "Sign out" gets 401 from the API and the
// sign-in page for a page; "Sign out everywhere" (the account dialog) in one
// browser drops the other browser's socket and shows it signed out.
import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, shot, signUp } from "./helpers";

const SESSION_COOKIE = "authjs.session-token";

async function signIn(page: Page, email: string) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/chat");
}

const online = (page: Page) => expect(page.getByTestId("connection-banner")).toHaveCount(0);

test("sign-out then reuse the cookie: the API answers 401 and a page goes to /signin", async ({
  browser,
}) => {
  const alice = await signUp(browser, "Alice");
  const copied = (await alice.context.cookies()).filter((c) => c.name === SESSION_COOKIE);
  expect(copied).toHaveLength(1);

  // Another browser holding a copy of the cookie: it works while the session lives…
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  expect((await thief.request.get("/api/v1/conversations")).status()).toBe(200);

  await alice.page.getByRole("button", { name: "Sign out", exact: true }).click();
  // Plain /signin: this tab left on its own, not because its socket was ended.
  await alice.page.waitForURL(/\/signin$/);

  // …and not after the sign-out.
  for (const path of ["/api/v1/conversations", "/api/v1/auth/realtime-token"]) {
    const res = await thief.request.get(path);
    expect(res.status(), path).toBe(401);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: "UNAUTHORIZED", message: "session revoked; sign in again" },
    });
  }
  const page = await thief.newPage();
  await page.goto("/chat");
  await page.waitForURL(/\/signin$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await thief.close();
  await alice.context.close();
});

test("sign out everywhere in one browser ends the other browser's session and socket (screenshots)", async ({
  browser,
}) => {
  const alice = await signUp(browser, "Alice");
  const laptop = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const other = await laptop.newPage();
  await signIn(other, alice.email);
  await online(other);
  await online(alice.page);
  const laptopCookie = (await laptop.cookies()).filter((c) => c.name === SESSION_COOKIE);

  await alice.page.getByRole("button", { name: "Account" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "Account" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(alice.email);
  await shot(alice.page, "account-dialog");

  await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
  await alice.page.waitForURL("**/signin?revoked=everywhere");
  await expect(alice.page.getByText("Signed out everywhere")).toBeVisible();
  await shot(alice.page, "signed-out-everywhere");

  // The other browser is told over its socket and leaves for the sign-in page.
  await other.waitForURL("**/signin?revoked=logged_out");
  await expect(other.getByText("Signed out: your session was ended. Sign in again.")).toBeVisible();
  await shot(other, "signed-out-elsewhere");
  // Its cookie (still in the jar) is dead on the API too.
  const copy = await browser.newContext();
  await copy.addCookies(laptopCookie);
  expect((await copy.request.get("/api/v1/conversations")).status()).toBe(401);

  // Signing in again works.
  await signIn(other, alice.email);
  await online(other);
  await copy.close();
  await laptop.close();
  await alice.context.close();
});
