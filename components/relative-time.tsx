import { formatExact, formatRelative } from "./format";

/** "3 minutes ago", with the exact time on hover. `now` is passed in so server and browser agree. */
export function RelativeTime({ iso, now }: { iso: string; now: string }) {
  return (
    <time dateTime={iso} title={formatExact(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}
