// The moderation console against the real stack: a ban reaches a chatting
// user's browser within 2 s; a report travels from the web client to the
// queue, and deleting the message from there removes it live for the
// members; the audit log shows every step; and a screenshot of every page.
import { randomUUID } from "node:crypto";
import {
  expect,
  test,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Page,
} from "@playwright/test";
import pg from "pg";
import { PORTS } from "../global-setup";
import { bubbles, openConversation, PASSWORD, send, shot, signUp, startDirect } from "./helpers";

const ADMIN = `http://127.0.0.1:${PORTS.admin}`;

async function sql(text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

interface Staff {
  id: string;
  name: string;
  email: string;
}

/** An account made staff the way an admin would (seeded: role set in Postgres). */
async function newStaff(request: APIRequestContext, role: "ADMIN" | "MODERATOR"): Promise<Staff> {
  const tag = randomUUID().slice(0, 8);
  const name = `${role === "ADMIN" ? "Admin" : "Mod"} ${tag}`;
  const email = `${role.toLowerCase()}-${tag}@e2e.relay`;
  const res = await request.post("/api/v1/auth/signup", {
    data: { email, password: PASSWORD, name },
  });
  expect(res.status()).toBe(201);
  const { user } = (await res.json()) as { user: { id: string } };
  await sql(`UPDATE "User" SET role = $1 WHERE id = $2`, [role, user.id]);
  return { id: user.id, name, email };
}

/**
 * A browser context for the console. Every browser here shares 127.0.0.1; a
 * per-context X-Forwarded-For (believed: the e2e admin trusts 127.0.0.1 as a
 * proxy) gives each its own per-IP credential budget (that limit is tested in
 * core and tests/edge).
 */
function consoleContext(browser: Browser, viewport = { width: 1280, height: 860 }) {
  return browser.newContext({
    viewport,
    extraHTTPHeaders: { "x-forwarded-for": `198.51.100.${Math.floor(Math.random() * 250) + 1}` },
  });
}

/** The console in its own browser context, signed in. */
async function openConsole(
  browser: Browser,
  staff: Staff,
  viewport = { width: 1280, height: 860 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await consoleContext(browser, viewport);
  const page = await context.newPage();
  await page.goto(`${ADMIN}/signin`);
  await page.getByLabel("Email").fill(staff.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${ADMIN}/users`);
  await expect(page.getByTestId("staff-name")).toHaveText(staff.name);
  return { context, page };
}

/** Opens a user's console page by searching for their name, as a moderator would. */
async function findUser(page: Page, name: string): Promise<string> {
  await page.getByLabel("Name or email").fill(name);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  return page.url().split("/users/")[1]!;
}

test("an admin bans a user who is chatting: their tab is signed out within 2 s, and the audit log says why", async ({
  browser,
  request,
}) => {
  const alice = await signUp(browser, "Alice");
  const bob = await signUp(browser, "Bob");
  await startDirect(alice, bob);
  await openConversation(bob, alice.name);
  await send(alice, "hello from alice before the ban");
  await expect(bubbles(bob.page, "hello from alice before the ban")).toBeVisible();
  await send(bob, "hi alice");
  await expect(bubbles(alice.page, "hi alice")).toBeVisible();

  const admin = await newStaff(request, "ADMIN");
  const { context, page } = await openConsole(browser, admin);
  const aliceId = await findUser(page, alice.name);
  await expect(page.getByText(alice.email)).toBeVisible();

  await page.getByRole("button", { name: "Ban", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Ban ${alice.name}?` });
  await dialog.getByLabel("Reason").fill("Scam links in DMs (e2e)");
  await dialog.getByLabel("Internal note (optional, moderators only)").fill("seen twice");

  const clickedAt = Date.now();
  await dialog.getByRole("button", { name: "Confirm ban" }).click();
  // Measured from the click: the web client must show it within 2 s.
  await expect(alice.page.getByText("Signed out: account banned.")).toBeVisible({
    timeout: Math.max(1, 2_000 - (Date.now() - clickedAt)),
  });
  expect(Date.now() - clickedAt).toBeLessThanOrEqual(2_000);
  expect(alice.page.url()).toContain("/signin");

  await expect(page.getByTestId("flash")).toContainText("Banned.");
  await expect(page.getByText("banned", { exact: true }).first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Unban" })).toBeEnabled();
  await expect(page.getByTestId("history-entry").first()).toContainText("Banned user");

  await page.getByRole("link", { name: "Audit", exact: true }).click();
  await page.getByLabel("Target id").fill(aliceId);
  await page.getByRole("button", { name: "Apply" }).click();
  const row = page.getByTestId("audit-row").filter({ hasText: "Scam links in DMs (e2e)" });
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute("data-action", "user.banned");
  await expect(row).toContainText(admin.name);

  // The CSV export has the same row.
  const csv = await page.request.get(`${ADMIN}/audit/export.csv?targetId=${aliceId}`);
  expect(csv.headers()["content-disposition"]).toMatch(/^attachment; filename="relay-audit-/);
  expect(await csv.text()).toContain("user.banned");

  for (const c of [alice.context, bob.context, context]) await c.close();
});

test("a report goes from the web client to the queue; deleting it there removes it live for the members", async ({
  browser,
  request,
}) => {
  const alice = await signUp(browser, "Alice");
  const bob = await signUp(browser, "Bob");
  await startDirect(alice, bob);
  const spam = `Cheap followers at spam.example ${randomUUID().slice(0, 6)}`;
  await openConversation(bob, alice.name);
  await send(bob, spam);
  await expect(bubbles(alice.page, spam)).toBeVisible();

  // Alice reports Bob's message.
  const message = alice.page.getByTestId("message").filter({ hasText: spam });
  await message.hover();
  await message.getByRole("button", { name: "Report message" }).click();
  const report = alice.page.getByRole("dialog", { name: "Report message" });
  await report.getByLabel("Reason").selectOption("SPAM");
  await report.getByLabel("Details").fill("advertising, asks for passwords");
  await report.getByRole("button", { name: "Send report" }).click();
  await expect(report.getByText("Report received.")).toBeVisible();
  await report.getByRole("button", { name: "Close" }).click();

  // It is in the moderator's queue.
  const mod = await newStaff(request, "MODERATOR");
  const { context, page } = await openConsole(browser, mod);
  await page.getByRole("link", { name: "Reports", exact: true }).click();
  const item = page.getByTestId("report-item").filter({ hasText: spam });
  await expect(item).toHaveCount(1);
  await expect(item).toContainText("1 report");
  await expect(item).toContainText("Spam");
  await expect(item).toContainText("advertising, asks for passwords");
  await expect(item.getByRole("link", { name: bob.name })).toBeVisible();
  const messageId = (await item.getAttribute("data-message-id"))!;

  // The context link opens the conversation around the message, highlighted.
  await item.getByRole("link", { name: /View in conversation/ }).click();
  await expect(page.locator(".message--highlight")).toContainText(spam);
  await page.goBack();

  // Delete it from the queue, with a reason.
  await item.getByRole("button", { name: "Delete message" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete the message and resolve its reports?" });
  await confirm.getByLabel("Reason").fill("Spam (e2e)");
  await confirm.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page.getByTestId("flash")).toContainText("Message deleted; 1 report closed.");
  await expect(page.getByTestId("report-item").filter({ hasText: spam })).toHaveCount(0);

  // Gone live for both members (the web client shows a tombstone in its place).
  for (const p of [alice.page, bob.page]) {
    await expect(bubbles(p, spam)).toHaveCount(0);
    await expect(p.getByTestId("message").filter({ hasText: "Message deleted" })).toHaveCount(1);
  }

  // The audit log has each step, with the reasons.
  await page.goto(`${ADMIN}/audit?targetType=message&targetId=${messageId}`);
  const rows = page.getByTestId("audit-row");
  await expect(rows).toHaveCount(3);
  expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-action")))).toEqual([
    "report.resolved",
    "message.deleted",
    "report.created",
  ]);
  await expect(rows.filter({ hasText: "Spam (e2e)" })).toHaveCount(2);
  await expect(rows.filter({ hasText: "advertising, asks for passwords" })).toHaveCount(1);

  for (const c of [alice.context, bob.context, context]) await c.close();
});

test("every console page, and the 403 page for an account that is not staff (screenshots)", async ({
  browser,
  request,
}) => {
  // Something to show: a group with a reported message.
  const alice = await signUp(browser, "Alice");
  const bob = await signUp(browser, "Bob");
  const group = `Trail crew ${randomUUID().slice(0, 6)}`;
  const scam = `Win a free phone at prize.example ${randomUUID().slice(0, 6)}`;
  await alice.page.getByRole("button", { name: "New group" }).click();
  await alice.page.getByLabel("Group name").fill(group);
  await alice.page.getByLabel("Find people").fill(bob.name);
  await alice.page.getByTestId("person").filter({ hasText: bob.name }).click();
  await alice.page.getByRole("button", { name: "Create group" }).click();
  await expect(alice.page.getByRole("heading", { level: 1, name: group })).toBeVisible();
  for (const text of ["Saturday at 8?", "Bring water", "Meet at the north gate"])
    await send(alice, text);
  await bob.page.getByTestId("conversation-item").filter({ hasText: group }).click();
  await send(bob, scam);
  const bad = alice.page.getByTestId("message").filter({ hasText: scam });
  await bad.hover();
  await bad.getByRole("button", { name: "Report message" }).click();
  await alice.page
    .getByRole("dialog", { name: "Report message" })
    .getByLabel("Details")
    .fill("scam");
  await alice.page.getByRole("button", { name: "Send report" }).click();
  await expect(alice.page.getByText("Report received.")).toBeVisible();

  const admin = await newStaff(request, "ADMIN");
  const anonymous = await consoleContext(browser);
  const landing = await anonymous.newPage();
  await landing.goto(`${ADMIN}/`);
  await expect(landing.getByRole("heading", { name: "Moderation console" })).toBeVisible();
  await shot(landing, "admin-landing");
  await landing.getByRole("link", { name: "Sign in" }).click();
  await landing.getByLabel("Email").fill(alice.email);
  await landing.getByLabel("Password").fill(PASSWORD);
  await landing.getByRole("button", { name: "Sign in" }).click();
  await expect(landing.locator("form").getByRole("alert")).toHaveText(
    "This console is for moderators and admins only; your account is not one.",
  );
  await shot(landing, "admin-signin");
  await anonymous.close();

  const { context, page } = await openConsole(browser, admin);
  await shot(page, "admin-users");
  const aliceId = await findUser(page, alice.name);
  await shot(page, "admin-user");
  await page.getByRole("button", { name: "Suspend" }).click();
  await shot(page, "admin-confirm-dialog");
  await page.getByRole("button", { name: "Cancel" }).click();

  await page.getByRole("link", { name: "Conversations", exact: true }).click();
  await page.getByLabel("Title or member (name, email)").fill(group);
  await page.getByRole("button", { name: "Apply" }).click();
  await shot(page, "admin-conversations");
  await page.getByRole("link", { name: group }).click();
  await expect(page.getByTestId("member-row")).toHaveCount(2);
  await expect(page.getByTestId("admin-message")).toHaveCount(4);
  await shot(page, "admin-conversation");

  await page.getByRole("link", { name: "Reports", exact: true }).click();
  const item = page.getByTestId("report-item").filter({ hasText: scam });
  await expect(item).toHaveCount(1);
  await shot(page, "admin-reports");
  await item.getByRole("link", { name: /View in conversation/ }).click();
  await expect(page.locator(".message--highlight")).toContainText(scam);
  await shot(page, "admin-conversation-around");

  await page.goto(`${ADMIN}/audit`);
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  await shot(page, "admin-audit");

  await page.getByRole("link", { name: "Live ops", exact: true }).click();
  // Both realtime nodes of the test stack registered themselves.
  await expect(page.getByTestId("ops-node")).toHaveCount(2, { timeout: 20_000 });
  await expect(page.getByTestId("ops-node").first()).toContainText("up");
  // A few polls, so the charts have points to draw.
  await page.waitForTimeout(6_500);
  await shot(page, "admin-ops");

  await page.getByRole("link", { name: admin.name }).click();
  await expect(page.getByRole("heading", { name: "Set up two-factor sign-in" })).toBeVisible();
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  await shot(page, "admin-2fa");
  await context.close();

  // Phone width: the nav and tables stay usable.
  const phone = await openConsole(browser, admin, { width: 390, height: 844 });
  await shot(phone.page, "admin-users-phone");
  await phone.page.goto(`${ADMIN}/users/${aliceId}`);
  await shot(phone.page, "admin-user-phone");
  await phone.context.close();

  // A moderator whose role was taken away meanwhile: the 403 page, on every page.
  const demoted = await newStaff(request, "MODERATOR");
  const { context: c403, page: p403 } = await openConsole(browser, demoted);
  await sql(`UPDATE "User" SET role = 'USER' WHERE id = $1`, [demoted.id]);
  for (const path of [
    "/users",
    `/users/${aliceId}`,
    "/conversations",
    "/reports",
    "/audit",
    "/ops",
    "/account/2fa",
  ]) {
    const res = await p403.goto(`${ADMIN}${path}`);
    expect(res?.status(), path).toBe(403);
    await expect(p403.getByRole("heading", { name: "Moderators and admins only" })).toBeVisible();
  }
  for (const path of ["/api/ops", "/audit/export.csv"]) {
    const res = await p403.request.get(`${ADMIN}${path}`);
    expect(res.status(), path).toBe(403);
  }
  await shot(p403, "admin-403");
  await p403.getByRole("button", { name: "Sign out" }).click();
  await p403.waitForURL(`${ADMIN}/signin`);
  await c403.close();

  for (const c of [alice.context, bob.context]) await c.close();
});
