const LABELS: Record<string, string> = {
  mobile: "Phone",
  tablet: "Tablet",
  desktop: "Computer",
  console: "Game console",
  smarttv: "TV",
  wearable: "Wearable",
  embedded: "Device",
};

/** A small icon for a device type, with its name for screen readers. */
export function DeviceIcon({ type }: { type: string | null }) {
  const label = (type && LABELS[type]) ?? "Unknown device";
  const handheld = type === "mobile" || type === "wearable";
  return (
    <svg role="img" aria-label={label} viewBox="0 0 24 24" className="h-5 w-5 shrink-0 text-slate-500" fill="none" stroke="currentColor" strokeWidth="1.8">
      <title>{label}</title>
      {handheld ? (
        <>
          <rect x="7" y="2.5" width="10" height="19" rx="2" />
          <path d="M11 18.5h2" />
        </>
      ) : type === "tablet" ? (
        <>
          <rect x="4" y="3" width="16" height="18" rx="2" />
          <path d="M11 18h2" />
        </>
      ) : (
        <>
          <rect x="3" y="4" width="18" height="12" rx="1.5" />
          <path d="M8 20h8M12 16v4" />
        </>
      )}
    </svg>
  );
}
