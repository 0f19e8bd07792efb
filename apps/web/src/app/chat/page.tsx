import { redirect } from "next/navigation";
import { auth } from "@/auth";
import { ChatApp } from "@/components/chat/chat-app";

export const dynamic = "force-dynamic";
export const metadata = { title: "Relay" };

export default async function ChatPage() {
  const session = await auth();
  if (!session?.user?.id) redirect("/signin");
  const { id, name, email, role } = session.user;
  return <ChatApp me={{ id, name, email, role }} />;
}
