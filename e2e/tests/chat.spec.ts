import { expect, test } from "@playwright/test";
import { PORTS } from "../global-setup";
import { bubbles, composer, openConversation, send, shot, signUp, startDirect } from "./helpers";

test("two people chat live: DM, both directions, typing, read marks, presence", async ({
  browser,
}) => {
  const alice = await signUp(browser, "Alice");
  const bob = await signUp(browser, "Bob");
  await shot(alice.page, "01-empty-chat");

  await startDirect(alice, bob);
  await send(alice, "Hi Bob, this is live");
  await expect(bubbles(alice.page, "Hi Bob, this is live")).toHaveCount(1);

  // Bob sees the new conversation and the message without reloading.
  await expect(
    bob.page.getByTestId("conversation-item").filter({ hasText: alice.name }),
  ).toBeVisible();
  await openConversation(bob, alice.name);
  await expect(bubbles(bob.page, "Hi Bob, this is live")).toBeVisible();

  // Bob has read it: Alice's mark turns to read.
  await expect(alice.page.getByTestId("delivery-mark").last()).toHaveAttribute("data-mark", "read");

  // Typing shows on the other side.
  await composer(bob.page).pressSequentially("Hey Al");
  await expect(alice.page.getByTestId("typing")).toHaveText(`${bob.name} is typing…`);
  await composer(bob.page).fill("Hey Alice, got it");
  await composer(bob.page).press("Enter");
  await expect(bubbles(alice.page, "Hey Alice, got it")).toBeVisible();
  await expect(alice.page.getByTestId("typing")).toHaveText("");

  // Presence: Bob is online in Alice's header, then offline with a last-seen when his browser closes.
  await expect(alice.page.getByTestId("chat-subtitle")).toHaveText("online");
  await shot(alice.page, "02-dm-live");
  await shot(bob.page, "03-dm-bob");
  await bob.context.close();
  await expect(alice.page.getByTestId("chat-subtitle")).toContainText("last seen", {
    timeout: 20_000,
  });
  await alice.context.close();
});

test("a group of three with one member on another realtime node", async ({ browser }) => {
  const alice = await signUp(browser, "Alice");
  const bob = await signUp(browser, "Bob");
  const carol = await signUp(browser, "Carol", {
    realtimeUrl: `http://127.0.0.1:${PORTS.realtimeB}`,
  });

  await alice.page.getByRole("button", { name: "New group" }).click();
  await alice.page.getByLabel("Group name").fill("Launch crew");
  for (const p of [bob, carol]) {
    await alice.page.getByLabel("Find people").fill(p.name);
    await alice.page.getByTestId("person").filter({ hasText: p.name }).click();
  }
  await alice.page.getByRole("button", { name: "Create group" }).click();
  await expect(alice.page.getByRole("heading", { level: 1, name: "Launch crew" })).toBeVisible();

  await openConversation(carol, "Launch crew");
  await openConversation(bob, "Launch crew");
  await send(alice, "Hello crew");
  await expect(bubbles(carol.page, "Hello crew")).toBeVisible();
  await expect(bubbles(bob.page, "Hello crew")).toBeVisible();
  await send(carol, "Carol here, from node B");
  await expect(bubbles(alice.page, "Carol here, from node B")).toBeVisible();
  await expect(bubbles(bob.page, "Carol here, from node B")).toBeVisible();

  await alice.page.getByRole("button", { name: "Group info" }).click();
  await expect(alice.page.getByRole("complementary", { name: "Conversation info" })).toContainText(
    carol.name,
  );
  await shot(alice.page, "04-group-info");
  for (const p of [alice, bob, carol]) await p.context.close();
});

test("history survives a reload, offline catch-up has no duplicates, HTML shows as text", async ({
  browser,
}) => {
  const alice = await signUp(browser, "Alice");
  const bob = await signUp(browser, "Bob");
  await startDirect(alice, bob);
  for (let i = 1; i <= 3; i++) await send(alice, `before reload ${i}`);
  await expect(bubbles(alice.page, "before reload 3")).toBeVisible();

  await alice.page.reload();
  await expect(bubbles(alice.page, "before reload 1")).toBeVisible();
  await expect(bubbles(alice.page, "before reload 3")).toHaveCount(1);

  // Alice goes offline; Bob writes meanwhile; Alice comes back and catches up once.
  await openConversation(bob, alice.name);
  await alice.context.setOffline(true);
  await expect(alice.page.getByTestId("connection-banner")).toBeVisible({ timeout: 45_000 });
  await send(bob, "while you were away 1");
  await send(bob, "while you were away 2");
  await expect(bubbles(bob.page, "while you were away 2")).toBeVisible();
  await alice.context.setOffline(false);
  await expect(bubbles(alice.page, "while you were away 2")).toBeVisible({ timeout: 30_000 });
  await expect(alice.page.getByTestId("connection-banner")).toBeHidden();
  await expect(bubbles(alice.page, "while you were away 1")).toHaveCount(1);
  await expect(bubbles(alice.page, "while you were away 2")).toHaveCount(1);

  const payload = `<img src=x onerror="document.title='pwned'"><script>window.__pwned=1</script><b>bold?</b>`;
  await send(bob, payload);
  await expect(bubbles(alice.page, "<b>bold?</b>")).toBeVisible();
  await expect(alice.page.getByTestId("message").locator("img, script, b")).toHaveCount(0);
  expect(
    await alice.page.evaluate(() => [
      document.title,
      (window as unknown as { __pwned?: number }).__pwned,
    ]),
  ).toEqual(["Relay", undefined]);
  await shot(alice.page, "05-html-as-text");

  await alice.context.close();
  await bob.context.close();
});

test("phone width shows the list, then the conversation with a way back", async ({ browser }) => {
  const alice = await signUp(browser, "Alice", { viewport: { width: 390, height: 800 } });
  const bob = await signUp(browser, "Bob");
  await startDirect(bob, alice);
  await send(bob, "hello on the phone");
  await openConversation(alice, bob.name);
  await expect(bubbles(alice.page, "hello on the phone")).toBeVisible();
  await shot(alice.page, "06-phone-chat");
  await alice.page.getByRole("button", { name: "Back to conversations" }).click();
  await expect(
    alice.page.getByTestId("conversation-item").filter({ hasText: bob.name }),
  ).toBeVisible();
  await shot(alice.page, "07-phone-list");
  await alice.context.close();
  await bob.context.close();
});

test("two tabs of one person stay consistent: reading in one clears the badge in both", async ({
  browser,
}) => {
  const alice = await signUp(browser, "Alice");
  const bob = await signUp(browser, "Bob");
  const bobTab2 = await bob.context.newPage();
  await bobTab2.goto("/chat");
  await startDirect(alice, bob);
  await send(alice, "ping for both tabs");
  await send(alice, "and another");

  const item = (p: typeof bobTab2) =>
    p.getByTestId("conversation-item").filter({ hasText: alice.name });
  await expect(item(bob.page).getByLabel("2 unread")).toBeVisible();
  await expect(item(bobTab2).getByLabel("2 unread")).toBeVisible();

  await openConversation(bob, alice.name);
  await expect(bubbles(bob.page, "and another")).toBeVisible();
  await expect(item(bob.page).getByLabel(/unread/)).toHaveCount(0);
  await expect(item(bobTab2).getByLabel(/unread/)).toHaveCount(0);
  await expect(alice.page.getByTestId("delivery-mark").last()).toHaveAttribute("data-mark", "read");
  await alice.context.close();
  await bob.context.close();
});

test("dark mode renders with the dark palette", async ({ browser }) => {
  const alice = await signUp(browser, "Alice");
  const bob = await signUp(browser, "Bob");
  await startDirect(bob, alice);
  await send(bob, "good evening");
  const dark = await browser.newContext({
    colorScheme: "dark",
    viewport: { width: 1200, height: 800 },
    storageState: await alice.context.storageState(),
  });
  const page = await dark.newPage();
  await page.goto("/chat");
  await page.getByTestId("conversation-item").filter({ hasText: bob.name }).click();
  await expect(
    page.getByTestId("message").locator(".msg__body", { hasText: "good evening" }),
  ).toBeVisible();
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe("rgb(15, 15, 20)");
  await shot(page, "08-dark");
  await dark.close();
  await alice.context.close();
  await bob.context.close();
});
