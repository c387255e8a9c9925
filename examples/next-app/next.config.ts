import type { NextConfig } from "next";

// Built with webpack (`next build --webpack`): Turbopack, from a folder inside another Next.js
// project, also compiles the outer project's proxy.ts (vercel/next.js#95287).
const nextConfig: NextConfig = {
  poweredByHeader: false,
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "nodemailer"],
};

export default nextConfig;
