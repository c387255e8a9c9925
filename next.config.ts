import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // `npm test` type-checks the whole project (tsc, with the route types this build writes) right
  // after building, so its build skips Next.js's own pass over the same files.
  typescript: { ignoreBuildErrors: process.env.LATCHKEY_BUILD_TYPECHECKED === "1" },
  serverExternalPackages: ["better-sqlite3", "pg", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "prom-client", "pino"],
};

export default nextConfig;
