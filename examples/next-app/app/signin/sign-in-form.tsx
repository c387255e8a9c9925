"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

export function SignInForm() {
  const [pending, setPending] = useState(false);
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        setPending(true);
        const email = new FormData(event.currentTarget).get("email");
        await signIn("email", { email, callbackUrl: "/devices" });
      }}
    >
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" required autoComplete="email" />
      <button type="submit" disabled={pending}>
        Email me a sign-in link
      </button>
    </form>
  );
}
