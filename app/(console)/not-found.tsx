import Link from "next/link";

/** What a console page answers (with status 404) for a user, session or application that does not exist. */
export default function ConsoleNotFound() {
  return (
    <section className="space-y-2">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="text-sm text-slate-600" data-testid="not-found">
        There is no such user, session or application here (it may have been swept, or the link is wrong).
      </p>
      <p className="text-sm">
        <Link href="/users" className="underline">
          Search users
        </Link>{" "}
        ·{" "}
        <Link href="/sessions" className="underline">
          Sessions
        </Link>{" "}
        ·{" "}
        <Link href="/debug" className="underline">
          Debugger
        </Link>
      </p>
    </section>
  );
}
