"use client";

// What a person sees when a page fails, Latchkey out of reach among the causes: not a sign-out.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <>
      <h1>This page could not be shown</h1>
      <p role="alert">Your sign-in could not be checked just now. If you were signed in, you still are: try again shortly.</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </>
  );
}
