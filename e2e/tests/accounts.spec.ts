import { expect, test } from "@playwright/test";
import pg from "pg";
import { PASSWORD, signUp } from "./helpers";

async function setStatus(email: string, status: "ACTIVE" | "SUSPENDED" | "BANNED") {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`UPDATE "User" SET status = $1 WHERE email = $2`, [status, email]);
  } finally {
    await client.end();
  }
}

test("sign-in and sign-up explain what went wrong: wrong password, taken email, suspended account", async ({
  browser,
}) => {
  const alice = await signUp(browser, "Alice");
  await alice.page.getByRole("button", { name: "Sign out" }).click();
  // Either redirect may win: next-auth's after the sign-out, or the chat
  // client's on the session:revoked its own socket gets for that sign-out.
  await alice.page.waitForURL(/\/signin(\?revoked=logged_out)?$/);

  const page = alice.page;
  await page.getByLabel("Email").fill(alice.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");

  await page.goto("/signup");
  await page.getByLabel("Name").fill("Someone Else");
  await page.getByLabel("Email").fill(alice.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText(
    "An account with this email already exists.",
  );

  await setStatus(alice.email, "SUSPENDED");
  await page.goto("/signin");
  await page.getByLabel("Email").fill(alice.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText(
    "This account is suspended. Contact an administrator.",
  );

  await setStatus(alice.email, "ACTIVE");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/chat");
  await alice.context.close();
});
