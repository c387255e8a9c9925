import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";
import { getLatchkeySession } from "@/lib/latchkey";
import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in · Example app" };

const ERRORS: Record<string, string> = {
  Verification: "That sign-in link has expired or was already used. Ask for a new one.",
  EmailSignin: "The sign-in link could not be sent. Try again.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ sent?: string; error?: string }> }) {
  if (await currentUser()) redirect("/devices");
  const { sent, error } = await searchParams;
  // The cookie of a session that ended is still here: Latchkey says who ended it, when and why.
  const { ended } = await getLatchkeySession();
  const why = ended && ended.reason !== "MISSING" ? ended.message : null;
  return (
    <>
      <h1>Sign in</h1>
      {why && !sent && <p role="alert">{why}</p>}
      {error && <p role="alert">{ERRORS[error] ?? "Signing in did not work. Try again."}</p>}
      {sent ? <p role="status">Check your email: a sign-in link is on its way.</p> : <SignInForm />}
    </>
  );
}
