import { randomUUID } from "node:crypto";
import path from "node:path";
import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";

export interface Person {
  name: string;
  email: string;
  context: BrowserContext;
  page: Page;
}

export const PASSWORD = "e2e-password-1";

/** A new person in their own browser context, signed up through the UI and on /chat. */
export async function signUp(
  browser: Browser,
  first: string,
  opts: { realtimeUrl?: string; viewport?: { width: number; height: number } } = {},
): Promise<Person> {
  const tag = randomUUID().slice(0, 8);
  const name = `${first} ${tag}`;
  const email = `${first.toLowerCase()}-${tag}@e2e.relay`;
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1200, height: 800 },
  });
  const page = await context.newPage();
  if (opts.realtimeUrl) {
    // Steer this browser's socket to another realtime node.
    await page.route("**/api/v1/auth/realtime-token", async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { token: string; url: string };
      await route.fulfill({ response: res, json: { ...body, url: opts.realtimeUrl } });
    });
  }
  await page.goto("/signup");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/chat");
  await expect(page.getByRole("button", { name: "New chat" })).toBeVisible();
  return { name, email, context, page };
}

/** Start (or open) a DM with `other` through the New chat dialog. */
export async function startDirect(me: Person, other: Person): Promise<void> {
  await me.page.getByRole("button", { name: "New chat" }).click();
  await me.page.getByLabel("Find people").fill(other.name);
  await me.page.getByTestId("person").filter({ hasText: other.name }).click();
  await expect(me.page.getByRole("heading", { level: 1, name: other.name })).toBeVisible();
}

export async function openConversation(me: Person, title: string): Promise<void> {
  await me.page.getByTestId("conversation-item").filter({ hasText: title }).click();
  await expect(me.page.getByRole("heading", { level: 1, name: title })).toBeVisible();
}

export const composer = (p: Page) => p.getByRole("textbox", { name: "Message", exact: true });

export async function send(me: Person, text: string): Promise<void> {
  await composer(me.page).fill(text);
  await composer(me.page).press("Enter");
}

/** The bubbles whose text is exactly `text`. */
export const bubbles = (p: Page, text: string) =>
  p.getByTestId("message").locator(".msg__body", { hasText: text });

export async function shot(page: Page, name: string) {
  await page.screenshot({
    path: path.resolve(import.meta.dirname, "../../test-results/e2e/screens", `${name}.png`),
  });
}
