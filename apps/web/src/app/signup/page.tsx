import { redirect } from "next/navigation";
import { auth } from "@/auth";
import { SignUpForm } from "@/components/sign-up-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Create account · Relay" };

export default async function SignUpPage() {
  if (await auth()) redirect("/chat");
  return <SignUpForm />;
}
