"use client";

/**
 * A console page that failed on the server. Its reference is the error's digest, which the
 * server's error log line carries beside the request id (reqId), and that id leads to the
 * request's own log line.
 */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="space-y-3 rounded border border-red-200 bg-red-50 p-6">
      <p className="font-medium text-red-800">This page could not be loaded.</p>
      <p className="text-sm text-red-700">The error was logged on the server. Try again in a moment.</p>
      {error.digest ? (
        <p className="text-sm text-red-700">
          Error reference: <code data-testid="error-reference">{error.digest}</code> (operators: the server log&apos;s error line with this{" "}
          <code>digest</code> names the request id).
        </p>
      ) : null}
      <button type="button" onClick={reset} className="rounded border border-red-300 px-3 py-1 text-sm">
        Try again
      </button>
    </div>
  );
}
