// Who gets into the console, checked the way Next.js runs it: every page and
// layout is called as the server would render it, every route handler with a
// Request, every server action with a FormData — with session cookies that
// next-auth's own sign-in handler issued, and users, roles and audit rows in
// the real Postgres. A USER-role session gets the 403 page / 403 JSON / a
// FORBIDDEN result everywhere; a MODERATOR gets everything but the admin-only
// actions; no session (or one ended by moderation) goes to /signin.
import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createGroupConversation, sendMessage, type User } from "@relay/core";
import TwoFactorPage from "../src/app/(console)/account/2fa/page";
import * as ExportCsvRoute from "../src/app/(console)/audit/export.csv/route";
import AuditPage from "../src/app/(console)/audit/page";
import ConversationPage from "../src/app/(console)/conversations/[id]/page";
import ConversationsPage from "../src/app/(console)/conversations/page";
import ConsoleLayout from "../src/app/(console)/layout";
import OpsPage from "../src/app/(console)/ops/page";
import ReportsPage from "../src/app/(console)/reports/page";
import UserPage from "../src/app/(console)/users/[id]/page";
import UsersPage from "../src/app/(console)/users/page";
import * as OpsRoute from "../src/app/api/ops/route";
import SignInPage from "../src/app/signin/page";
import { IDLE, type TActionState } from "../src/server/action-state";
import { enableTotpAction } from "../src/server/actions/account";
import {
  addMemberAction,
  deleteGroupAction,
  deleteMessageAction,
  removeMemberAction,
  renameGroupAction,
  transferOwnershipAction,
} from "../src/server/actions/conversations";
import { resolveReportsAction } from "../src/server/actions/reports";
import {
  banUserAction,
  changeRoleAction,
  forceLogoutAction,
  liftSanctionAction,
  suspendUserAction,
} from "../src/server/actions/users";
import { deps, form, newUser, outcomeOf, signInOverHttp, staffSession } from "./helpers";
import { actAs, revalidated } from "./request";

vi.mock("next/headers", async () => (await import("./request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("./request")).nextCacheMock);

let target: User;
let member: User;
let groupId: string;
let messageId: string;

beforeAll(async () => {
  target = await newUser("USER");
  member = await newUser("USER");
  const owner = await newUser("USER");
  const group = await createGroupConversation(deps(), {
    callerId: owner.id,
    title: "Authorization test group",
    memberIds: [member.id, target.id],
  });
  groupId = group.id;
  const sent = await sendMessage(deps(), {
    actor: { userId: owner.id, role: "USER" },
    conversationId: groupId,
    clientMsgId: randomUUID(),
    body: "a message moderators may delete",
  });
  messageId = sent.messageId;
});

afterEach(() => {
  revalidated.length = 0;
});

const noSearch = () => Promise.resolve({});

/** Every page (and the console layout around them), with real ids. */
const PAGES: Array<[string, () => Promise<unknown>]> = [
  ["(console) layout", () => ConsoleLayout({ children: null })],
  ["/users", () => UsersPage({ searchParams: noSearch() })],
  ["/users/[id]", () => UserPage({ params: Promise.resolve({ id: target.id }) })],
  ["/conversations", () => ConversationsPage({ searchParams: noSearch() })],
  [
    "/conversations/[id]",
    () =>
      ConversationPage({
        params: Promise.resolve({ id: groupId }),
        searchParams: Promise.resolve({ around: "1" }),
      }),
  ],
  ["/reports", () => ReportsPage({ searchParams: noSearch() })],
  ["/audit", () => AuditPage({ searchParams: noSearch() })],
  ["/ops", () => OpsPage()],
  ["/account/2fa", () => TwoFactorPage()],
];

/** Every route handler of the console (besides next-auth's own and the health check). */
const ROUTES: Array<[string, (req: Request) => Promise<Response>]> = [
  ["GET /api/ops", OpsRoute.GET],
  ["GET /audit/export.csv", ExportCsvRoute.GET],
];
const requestFor = (name: string, cookie: string | null) =>
  new Request(`http://localhost:3001${name.split(" ")[1]}`, {
    headers: cookie ? { cookie } : {},
  });

type TAction = (prev: TActionState, f: FormData) => Promise<TActionState>;
/** Every server action with a valid form. */
const ACTIONS = (): Array<[string, TAction, Record<string, string>]> => [
  ["suspend", suspendUserAction, { userId: target.id, reason: "r", durationMinutes: "60" }],
  ["ban", banUserAction, { userId: target.id, reason: "r" }],
  ["lift", liftSanctionAction, { userId: target.id, reason: "r" }],
  ["force logout", forceLogoutAction, { userId: target.id, reason: "r" }],
  ["change role", changeRoleAction, { userId: target.id, role: "MODERATOR", reason: "r" }],
  ["delete message", deleteMessageAction, { conversationId: groupId, messageId, reason: "r" }],
  ["rename group", renameGroupAction, { conversationId: groupId, title: "x", reason: "r" }],
  ["add member", addMemberAction, { conversationId: groupId, userId: member.id, reason: "r" }],
  [
    "remove member",
    removeMemberAction,
    { conversationId: groupId, userId: member.id, reason: "r" },
  ],
  [
    "transfer ownership",
    transferOwnershipAction,
    { conversationId: groupId, userId: member.id, reason: "r" },
  ],
  ["delete group", deleteGroupAction, { conversationId: groupId, reason: "r" }],
  ["resolve reports", resolveReportsAction, { messageId, action: "dismiss", reason: "r" }],
  ["enable TOTP", enableTotpAction, { secret: "JBSWY3DPEHPK3PXPJBSWY3DP", code: "123456" }],
];

/** A console session whose account is a USER now (a moderator demoted without a logout). */
async function userRoleSession() {
  const { user, cookie } = await staffSession("MODERATOR");
  await deps().db.user.update({ where: { id: user.id }, data: { role: "USER" } });
  return { user, cookie };
}

async function auditCount(targetId: string) {
  return deps().db.auditLog.count({ where: { targetId } });
}

describe("a USER-role session gets 403 everywhere", () => {
  it.each(PAGES)("page %s renders the 403 page", async (_name, render) => {
    const { cookie } = await userRoleSession();
    actAs(cookie);
    expect(await outcomeOf(render)).toEqual({ kind: "forbidden" });
  });

  it.each(ROUTES)("route %s answers 403 JSON", async (name, handler) => {
    const { cookie } = await userRoleSession();
    const res = await handler(requestFor(name, cookie));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: "FORBIDDEN", message: "moderators and admins only" },
    });
  });

  it("every server action answers FORBIDDEN and changes nothing", async () => {
    const { cookie } = await userRoleSession();
    actAs(cookie);
    const before = await auditCount(target.id);
    for (const [name, action, fields] of ACTIONS()) {
      const result = await action(IDLE, form(fields));
      expect(result, name).toMatchObject({ status: "error", code: "FORBIDDEN" });
    }
    expect(await auditCount(target.id)).toBe(before);
    expect(await auditCount(groupId)).toBe(0);
    expect((await deps().db.user.findUniqueOrThrow({ where: { id: target.id } })).status).toBe(
      "ACTIVE",
    );
    expect(revalidated).toEqual([]);
  });
});

describe("a MODERATOR", () => {
  it("renders every page and gets 200 from every route (the check is not a blanket refusal)", async () => {
    const { cookie } = await staffSession("MODERATOR");
    actAs(cookie);
    for (const [name, render] of PAGES)
      expect(await outcomeOf(render), name).toEqual({ kind: "rendered" });
    for (const [name, handler] of ROUTES) {
      const res = await handler(requestFor(name, cookie));
      expect(res.status, name).toBe(200);
    }
  });

  it("gets FORBIDDEN for ban, change role and delete group, and nothing changes", async () => {
    const { cookie } = await staffSession("MODERATOR");
    actAs(cookie);
    const before = await auditCount(target.id);
    for (const [action, fields] of [
      [banUserAction, { userId: target.id, reason: "spam" }],
      [changeRoleAction, { userId: target.id, role: "MODERATOR", reason: "trusted" }],
      [deleteGroupAction, { conversationId: groupId, reason: "abuse" }],
    ] as const) {
      expect(await action(IDLE, form(fields))).toMatchObject({
        status: "error",
        code: "FORBIDDEN",
        message: "Admins only: your role cannot do this.",
      });
    }
    const row = await deps().db.user.findUniqueOrThrow({ where: { id: target.id } });
    expect([row.status, row.role]).toEqual(["ACTIVE", "USER"]);
    expect(
      (await deps().db.conversation.findUniqueOrThrow({ where: { id: groupId } })).deletedAt,
    ).toBeNull();
    expect(await auditCount(target.id)).toBe(before);
  });

  it("may suspend and lift: the action runs through core, audited with reason, IP and user agent", async () => {
    const { user: mod, cookie } = await staffSession("MODERATOR");
    const victim = await newUser("USER");
    actAs(cookie);
    const result = await suspendUserAction(
      IDLE,
      form({ userId: victim.id, reason: "flooding", durationMinutes: "60" }),
    );
    expect(result).toMatchObject({ status: "ok" });
    expect(result.status === "ok" && result.message).toBe(
      "Suspended for 1 hour. Their sessions ended on every node.",
    );
    expect(revalidated).toContain(`/users/${victim.id}`);
    expect(
      await liftSanctionAction(IDLE, form({ userId: victim.id, reason: "ok now" })),
    ).toMatchObject({ status: "ok" });
    const audit = await deps().db.auditLog.findMany({
      where: { targetId: victim.id },
      orderBy: { at: "asc" },
    });
    expect(audit.map((a) => [a.action, a.actorId, a.reason, a.ip, a.userAgent])).toEqual([
      ["user.suspended", mod.id, "flooding", "198.51.100.23", "admin-tests"],
      ["user.unsuspended", mod.id, "ok now", "198.51.100.23", "admin-tests"],
    ]);
  });

  it("gets the form's error for bad input, not a crash", async () => {
    const { cookie } = await staffSession("MODERATOR");
    actAs(cookie);
    expect(await suspendUserAction(IDLE, form({ userId: target.id }))).toMatchObject({
      status: "error",
      code: "INVALID_PAYLOAD",
      message: "Reason: required",
    });
    expect(
      await suspendUserAction(IDLE, form({ userId: "nope", reason: "x", durationMinutes: "soon" })),
    ).toMatchObject({ status: "error", code: "INVALID_PAYLOAD" });
  });
});

describe("an ADMIN", () => {
  it("bans through the server action: the user is BANNED and the audit keeps the reason", async () => {
    const { user: admin, cookie } = await staffSession("ADMIN");
    const victim = await newUser("USER");
    actAs(cookie);
    expect(
      await banUserAction(
        IDLE,
        form({ userId: victim.id, reason: "scam links", note: "3rd time" }),
      ),
    ).toMatchObject({ status: "ok" });
    expect((await deps().db.user.findUniqueOrThrow({ where: { id: victim.id } })).status).toBe(
      "BANNED",
    );
    const entry = await deps().db.auditLog.findFirstOrThrow({
      where: { targetId: victim.id, action: "user.banned" },
    });
    expect([entry.actorId, entry.actorRole, entry.reason]).toEqual([
      admin.id,
      "ADMIN",
      "scam links",
    ]);
  });
});

describe("sessions that must not get in", () => {
  it("no session → /signin, on every page; 401 from every route", async () => {
    actAs(null);
    for (const [name, render] of PAGES)
      expect(await outcomeOf(render), name).toEqual({ kind: "redirect", to: "/signin" });
    for (const [name, handler] of ROUTES)
      expect((await handler(requestFor(name, null))).status).toBe(401);
    await expect(
      outcomeOf(() => banUserAction(IDLE, form({ userId: target.id, reason: "x" }))),
    ).resolves.toEqual({
      kind: "redirect",
      to: "/signin",
    });
  });

  it("the web client's session cookie is not a console session (own cookie names)", async () => {
    const { cookie } = await staffSession("ADMIN");
    const value = cookie.split("=").slice(1).join("=");
    actAs(`authjs.session-token=${value}`);
    expect(await outcomeOf(PAGES[1]![1])).toEqual({ kind: "redirect", to: "/signin" });
  });

  it("a moderator banned or logged out by an admin is out of the console at once", async () => {
    const { cookie: adminCookie } = await staffSession("ADMIN");
    const banned = await staffSession("MODERATOR");
    const loggedOut = await staffSession("MODERATOR");
    actAs(banned.cookie);
    expect(await outcomeOf(PAGES[1]![1])).toEqual({ kind: "rendered" });

    actAs(adminCookie);
    expect(
      await banUserAction(IDLE, form({ userId: banned.user.id, reason: "abuse" })),
    ).toMatchObject({
      status: "ok",
    });
    expect(
      await forceLogoutAction(IDLE, form({ userId: loggedOut.user.id, reason: "lost laptop" })),
    ).toMatchObject({ status: "ok" });

    actAs(banned.cookie);
    expect(await outcomeOf(PAGES[1]![1])).toEqual({
      kind: "redirect",
      to: "/signin?revoked=banned",
    });
    expect((await OpsRoute.GET(requestFor("GET /api/ops", banned.cookie))).status).toBe(401);
    actAs(loggedOut.cookie);
    expect(await outcomeOf(PAGES[1]![1])).toEqual({
      kind: "redirect",
      to: "/signin?revoked=logged_out",
    });
    // Signing in again gives a fresh session that works.
    const again = await signInOverHttp({ email: loggedOut.user.email });
    actAs(again.cookie);
    expect(await outcomeOf(PAGES[1]![1])).toEqual({ kind: "rendered" });
  });

  it("the sign-in page sends a live session on to /users and shows why a session ended", async () => {
    const { cookie } = await staffSession("MODERATOR");
    actAs(cookie);
    expect(await outcomeOf(() => SignInPage({ searchParams: noSearch() }))).toEqual({
      kind: "redirect",
      to: "/users",
    });
    actAs(null);
    expect(await outcomeOf(() => SignInPage({ searchParams: noSearch() }))).toEqual({
      kind: "rendered",
    });
  });
});
