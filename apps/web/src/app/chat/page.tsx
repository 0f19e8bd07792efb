import { redirect } from "next/navigation";
import { ChatApp } from "@/components/chat/chat-app";
import { currentSession } from "@/server/session";

export const dynamic = "force-dynamic";
export const metadata = { title: "Relay" };

export default async function ChatPage() {
  const session = await currentSession();
  if (session.kind === "anonymous") redirect("/signin");
  if (session.kind === "revoked") redirect(`/signin?revoked=${session.reason}`);
  const { id, name, email, role } = session.user;
  return <ChatApp me={{ id, name, email, role }} />;
}
