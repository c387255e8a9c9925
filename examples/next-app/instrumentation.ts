// Runs once as the server starts: an app without its Latchkey key would sign no one in.
export function register() {
  for (const name of ["LATCHKEY_URL", "LATCHKEY_API_KEY", "NEXTAUTH_URL", "NEXTAUTH_SECRET"]) {
    if (!process.env[name]) throw new Error(`${name} is not set: see examples/next-app/README.md`);
  }
}
