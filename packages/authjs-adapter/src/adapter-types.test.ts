import type { Adapter as CoreAdapter, AdapterUser as CoreAdapterUser } from "@auth/core/adapters";
import type { Adapter, AdapterUser } from "next-auth/adapters";
import { describe, expectTypeOf, it } from "vitest";
import { withLatchkeySessions } from "./index";

// next-auth 4 (the console's own version) and @auth/core (Auth.js 5) take the wrapped adapter
// where they take any adapter.
describe("withLatchkeySessions's types", () => {
  it("is a next-auth 4 Adapter when it wraps one, and keeps the wrapped adapter's users", () => {
    const inner = {} as Adapter & { getUser: (id: string) => Promise<AdapterUser | null> };
    const wrapped = withLatchkeySessions(inner, { client: { baseUrl: "https://latchkey.example.com", apiKey: "lka_…" } });
    expectTypeOf(wrapped).toExtend<Adapter>();
    expectTypeOf<Awaited<ReturnType<typeof wrapped.getSessionAndUser>>>().toEqualTypeOf<{
      session: { sessionToken: string; userId: string; expires: Date };
      user: AdapterUser;
    } | null>();
  });

  it("is an @auth/core Adapter when it wraps one", () => {
    const inner = {} as CoreAdapter & { getUser: (id: string) => Promise<CoreAdapterUser | null> };
    const wrapped = withLatchkeySessions(inner, { client: { baseUrl: "https://latchkey.example.com", apiKey: "lka_…" } });
    expectTypeOf(wrapped).toExtend<CoreAdapter>();
  });
});
