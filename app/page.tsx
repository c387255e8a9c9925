import { redirect } from "next/navigation";
import { getConsoleSession } from "@/lib/auth/session";

export default async function Home() {
  const session = await getConsoleSession();
  redirect(session ? "/sessions" : "/login");
}
