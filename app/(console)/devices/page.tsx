import type { Metadata } from "next";
import { DeviceIcon } from "@/components/device-icon";
import { RelativeTime } from "@/components/relative-time";
import { requireConsoleSession } from "@/lib/auth/session";
import { getLatchkey } from "@/lib/server/latchkey";
import { describeDevice } from "@/lib/sessions/user-agent";
import { RenameDeviceForm, SignOutDeviceForm, SignOutOthersForm } from "./_components/device-actions";

export const metadata: Metadata = { title: "My devices" };

export default async function DevicesPage() {
  const session = await requireConsoleSession();
  const devices = await getLatchkey().console.listUserSessions(session.userId);
  // The current device first, then the most recently active.
  devices.sort((a, b) => Number(b.id === session.sessionId) - Number(a.id === session.sessionId));
  const now = new Date().toISOString();
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">My devices</h1>
        <p className="text-sm text-slate-600">Where you are signed in to the Latchkey console. Sign out anything you do not recognise.</p>
      </div>
      <SignOutOthersForm others={devices.filter((device) => device.id !== session.sessionId).length} />
      <ul className="space-y-3">
        {devices.map((device) => {
          const name = device.deviceLabel ?? describeDevice(device) ?? "Unknown device";
          const current = device.id === session.sessionId;
          return (
            <li key={device.id} data-device-id={device.id} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
              <div className="flex flex-wrap items-center gap-2">
                <DeviceIcon type={device.deviceType} />
                <span className="font-medium" data-testid="device-name">
                  {name}
                </span>
                {current ? <span className="rounded bg-sky-100 px-2 py-0.5 text-xs text-sky-800">this device</span> : null}
              </div>
              <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm text-slate-600 sm:grid-cols-3">
                <div>
                  <dt className="inline">Place (IP): </dt>
                  <dd className="inline">{device.ip ?? "unknown"}</dd>
                </div>
                <div>
                  <dt className="inline">Signed in: </dt>
                  <dd className="inline">
                    <RelativeTime iso={device.createdAt.toISOString()} now={now} />
                  </dd>
                </div>
                <div>
                  <dt className="inline">Last active: </dt>
                  <dd className="inline">
                    <RelativeTime iso={device.lastSeenAt.toISOString()} now={now} />
                  </dd>
                </div>
              </dl>
              <div className="flex flex-wrap items-start gap-4">
                <RenameDeviceForm sessionId={device.id} name={name} />
                <SignOutDeviceForm sessionId={device.id} current={current} />
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
