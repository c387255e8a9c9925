import { redirect } from "next/navigation";
import { getConsoleSession } from "@/lib/auth/session";

export default async function Home() {
  const session = await getConsoleSession();
  if (!session) redirect("/login");
  redirect(session.role === "USER" ? "/devices" : "/overview");
}
