import { sessionIdOfToken, type SessionJson } from "@latchkey/client";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";
import { latchkey, sessionCookie } from "@/lib/latchkey";
import { signOutOtherDevices } from "./actions";
import { RenameForm, SignOutDeviceForm, SignOutButton } from "./forms";

export const metadata = { title: "Devices · Example app" };

function deviceName(session: SessionJson): string {
  if (session.deviceLabel) return session.deviceLabel;
  const parts = [session.browser, session.os && `on ${session.os}`].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : "Unknown device";
}

const when = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;

export default async function DevicesPage() {
  const user = await currentUser();
  if (!user) redirect("/signin");
  const current = sessionIdOfToken((await cookies()).get(sessionCookie)?.value ?? "");
  const { items } = await latchkey.listUserSessions(user.id);
  const others = items.filter((session) => session.id !== current).length;
  return (
    <>
      <h1>Your devices</h1>
      <p>
        Signed in as <strong>{user.email}</strong>. <SignOutButton />
      </p>
      <div className="wrap">
        <table aria-label="Devices">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Last active</th>
              <th scope="col">Signed in</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((session) => (
              <tr key={session.id} data-session-id={session.id}>
                <td>
                  {deviceName(session)} {session.id === current && <span className="badge">This device</span>}
                  {session.ip && <div>{session.ip}</div>}
                </td>
                <td>{when(session.lastSeenAt)}</td>
                <td>{when(session.startedAt)}</td>
                <td>
                  <RenameForm sessionId={session.id} label={session.deviceLabel ?? ""} />
                  {session.id !== current && <SignOutDeviceForm sessionId={session.id} name={deviceName(session)} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {others > 0 && (
        <form action={signOutOtherDevices}>
          <button type="submit">Sign out all other devices ({others})</button>
        </form>
      )}
    </>
  );
}
