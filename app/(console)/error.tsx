"use client";

export default function ConsoleError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div role="alert" className="space-y-3 rounded border border-red-200 bg-red-50 p-6">
      <p className="font-medium text-red-800">This page could not be loaded.</p>
      <p className="text-sm text-red-700">The error was logged on the server. Try again in a moment.</p>
      <button type="button" onClick={reset} className="rounded border border-red-300 px-3 py-1 text-sm">
        Try again
      </button>
    </div>
  );
}
