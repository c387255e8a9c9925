import { createInterface, type Interface } from "node:readline";
import type { ParseArgsConfig } from "node:util";
import {
  LatchkeyApiError,
  createLatchkeyClient,
  type ApplicationJson,
  type WebhookEndpointJson,
  type WebhookEventType,
  type LatchkeyClient,
  type PolicyChange,
  type PolicyPreviewJson,
  type SessionJson,
} from "../packages/client/src/index.ts";
import { parseDurationSeconds } from "../lib/duration";
import { parseCommandArgs } from "./args";
import { CliError, loadSession, removeSession, saveSession, sessionFile } from "./config";

const USAGE = `Usage: latchkey <command> [options]

  login --url URL [--key KEY | --email EMAIL]
                                     sign in with an API key, or a console account (ADMIN or
                                     SUPPORT; the password is asked for); asked when not given
  logout                             forget the saved session (and end it, for an account)
  whoami                             the server, and the key or account in use
  sessions list [filters]            --status S[,S] --user U --ip IP --device TEXT --kind K --tenant T
                                     --created-before T --created-after T
                                     --sort createdAt|lastSeenAt|idleExpiresAt|absoluteExpiresAt
                                     --order asc|desc --limit N --cursor C
  sessions revoke-matching [filters] --reason TEXT [--code CODE] [--dry-run]
                                     end every live session the filters match (counted first)
  sessions show ID                   one session, every field
  sessions revoke ID --reason TEXT   end a session (--code REVOKED|SIGNED_OUT|... , default REVOKED)
  sessions label ID LABEL            rename a session's device
  service-session create --client NAME --scope S [--scope S…] [--ttl 1h] [--delegated-by USER]
                                     a short-lived session for automation; prints LATCHKEY_SESSION=…
  users logout-everywhere USER --reason TEXT
                                     end every session of a user (id or email)
  sweep [--dry-run] [--retention 7d] delete sessions dead longer than the retention, with progress
  stats                              the overview's figures
  debug TOKEN|SESSION_ID|USER        why a token, session or user is refused (- reads it from stdin)
  apps list                          applications, their policies and live sessions (ADMIN)
  apps create NAME [policy]          a new application, with the environment's policy unless changed
  apps show APP                      one application and its policy
  apps rename APP NAME | disable APP | enable APP
  apps preview APP [policy]          how many live sessions a policy change would end (changes nothing)
  apps set-policy APP [policy] --yes change the policy; without --yes, only the preview
                                     policy: --idle 30m --absolute 30d --touch 60s --grace 10s
                                     --guests yes|no --limit N|none
                                     --at-limit end-least-recently-used|end-oldest|refuse
  webhooks list APP                  an application's webhook endpoints (ADMIN)
  webhooks add APP URL [--event TYPE…] [--description TEXT]
                                     a new endpoint; prints its signing secret, once
  webhooks deliveries APP ENDPOINT [--limit N]
                                     the delivery log: status, attempts, last answer, next retry
  webhooks test APP ENDPOINT | resend APP DELIVERY_ID | rotate-secret APP ENDPOINT
  webhooks disable APP ENDPOINT | enable APP ENDPOINT | remove APP ENDPOINT

Every command takes --json for machine-readable output, and --app APP (an application's name or
id): an operator's command then works in that application only; without it, reads reach every
application. An API key always works in its own application. LATCHKEY_URL and LATCHKEY_API_KEY,
when both set, take the place of the saved session.`;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  isTty: boolean;
}

function parseArgs<O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O) {
  try {
    return parseCommandArgs(args, options);
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
}

/** Columns padded to their widest cell. */
function table(headings: string[], rows: string[][]): string {
  const widths = headings.map((heading, i) => Math.max(heading.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headings), ...rows.map(line)].join("\n");
}

function device(session: SessionJson): string {
  return session.deviceLabel ?? ([session.browser, session.os].filter(Boolean).join(" on ") || "-");
}

function when(iso: string | null): string {
  return iso ? iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, "Z") : "-";
}

/** Turns API and network failures into one line each. */
async function guarded<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LatchkeyApiError) {
      if (error.code === "UNAUTHORIZED") throw new CliError(`Refused by ${url}: ${error.message}`);
      if (error.code === "FORBIDDEN") throw new CliError(error.message);
      const issues = (error.details?.issues as { path?: string; message?: string }[] | undefined)?.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
      throw new CliError(`${error.message}${issues ? ` (${issues})` : ""} [${error.status} ${error.code}]`);
    }
    if (error instanceof TypeError) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`Cannot reach Latchkey at ${url}: ${cause?.code ?? cause?.message ?? error.message}.`);
    }
    throw error;
  }
}

/** Answers typed (or piped) on stdin, a line each, read through one reader for the whole run. */
let reader: { rl: Interface; lines: AsyncIterator<string> } | null = null;

async function ask(io: Io, question: string): Promise<string> {
  io.err(question);
  if (!reader) {
    const rl = createInterface({ input: io.stdin, terminal: false });
    reader = { rl, lines: rl[Symbol.asyncIterator]() };
  }
  const next = await reader.lines.next();
  return next.done ? "" : next.value.trim();
}

function progress(io: Io, done: number, total: number): void {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const bar = `[${"#".repeat(Math.round(share * 30)).padEnd(30, ".")}] ${Math.round(share * 100)}% ${done}/${total}`;
  if (io.isTty) io.err(`\r${bar}`);
  else io.err(`${bar}\n`);
}

async function run(argv: string[], io: Io): Promise<void> {
  const [command, ...rest] = argv;
  const print = (json: boolean | undefined, value: unknown, text: () => string) => io.out(`${json ? JSON.stringify(value, null, 2) : text()}\n`);
  // The --app of the command being run (every command's options include it).
  let app: string | undefined;
  const parse = <O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O) => {
    const parsed = parseArgs(args, options);
    app = (parsed.values as { app?: string }).app;
    return parsed;
  };
  const connect = (): { client: LatchkeyClient; url: string } => {
    const session = loadSession(io.env);
    return { client: createLatchkeyClient({ baseUrl: session.url, apiKey: session.credential, app }), url: session.url };
  };

  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.out(`${USAGE}\n`);
      return;

    case "login": {
      const { values } = parse(rest, { url: { type: "string" }, key: { type: "string" }, email: { type: "string" } });
      if (!values.url) throw new CliError("Say where Latchkey runs: latchkey login --url https://your-latchkey", 2);
      let url: string;
      try {
        url = new URL(values.url).origin;
      } catch {
        throw new CliError(`${values.url} is not a URL (example: https://latchkey.example.com).`, 2);
      }
      const answer = values.key ?? values.email ?? (await ask(io, "API key (lka_…) or console email: "));
      let credential: string;
      if (answer.includes("@")) {
        const password = await ask(io, "Password: ");
        const anonymous = createLatchkeyClient({ baseUrl: url, apiKey: "" });
        credential = (await guarded(url, () => anonymous.createConsoleSession({ email: answer, password }))).token;
      } else if (answer.startsWith("lka_")) {
        credential = answer;
      } else {
        throw new CliError("That is not an API key (lka_…) or an email: create a key on the console's API keys page, or sign in as an ADMIN or SUPPORT account.", 2);
      }
      const { principal } = await guarded(url, () => createLatchkeyClient({ baseUrl: url, apiKey: credential }).whoami());
      const file = saveSession({ url, credential, name: principal.name }, io.env);
      const what = principal.type === "api_key" ? `API key "${principal.name}"` : `${principal.name} (${principal.role})`;
      print(values.json, { url, principal, file }, () => `Signed in to ${url} as ${what} (${principal.scopes.join(", ")}). Saved in ${file}.`);
      return;
    }

    case "logout": {
      const { values } = parse(rest, {});
      let ended = false;
      try {
        const session = loadSession(io.env);
        const parsed = /^lks_([A-Za-z0-9_-]{22})\./.exec(session.credential);
        if (parsed) {
          const client = createLatchkeyClient({ baseUrl: session.url, apiKey: session.credential });
          ended = (await client.revokeSession(parsed[1]!, { reason: "SIGNED_OUT" }).catch(() => ({ revoked: false }))).revoked;
        }
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
      }
      const removed = removeSession(io.env);
      print(values.json, { removed, ended }, () => (removed ? `Signed out: ${sessionFile(io.env)} deleted${ended ? ", session ended" : ""}.` : "Not signed in."));
      return;
    }

    case "whoami": {
      const { values } = parse(rest, {});
      const { client, url } = connect();
      const { principal } = await guarded(url, () => client.whoami());
      const what = principal.type === "api_key" ? `API key "${principal.name}" (${principal.id})` : `${principal.name}, ${principal.role}`;
      print(values.json, { url, principal }, () => `${url}\n${what}, scopes: ${principal.scopes.join(", ")}`);
      return;
    }

    case "sessions": {
      const [sub, ...args] = rest;
      if (sub === "list") {
        const { values } = parse(args, {
          ...FILTER_OPTIONS,
          status: { type: "string" },
          sort: { type: "string" },
          order: { type: "string" },
          limit: { type: "string" },
          cursor: { type: "string" },
        });
        const { client, url } = connect();
        const query = { ...filterOf(values), status: values.status, sort: values.sort, order: values.order, cursor: values.cursor };
        const page = await guarded(url, () => client.listSessions({ ...query, limit: values.limit === undefined ? undefined : Number(values.limit) }));
        const { json } = values;
        print(json, page, () =>
          [
            table(
              ["ID", "APP", "USER", "STATUS", "DEVICE", "IP", "CREATED", "LAST SEEN"],
              page.items.map((s) => [s.id, s.appId, s.userId, s.status, device(s), s.ip ?? "-", when(s.createdAt), when(s.lastSeenAt)]),
            ),
            page.nextCursor ? `\nMore: --cursor ${page.nextCursor}` : "",
          ].join(""),
        );
        return;
      }
      if (sub === "show") {
        const { values, positionals } = parse(args, {});
        if (!positionals[0]) throw new CliError("Name a session: latchkey sessions show ID", 2);
        const { client, url } = connect();
        const { session } = await guarded(url, () => client.getSession(positionals[0]!));
        print(values.json, session, () => table(["FIELD", "VALUE"], Object.entries(session).map(([field, value]) => [field, value === null ? "-" : typeof value === "object" ? JSON.stringify(value) : String(value)])));
        return;
      }
      if (sub === "revoke") {
        const { values, positionals } = parse(args, { reason: { type: "string" }, code: { type: "string" } });
        if (!positionals[0]) throw new CliError("Name a session: latchkey sessions revoke ID --reason TEXT", 2);
        if (!values.reason) throw new CliError("Say why: --reason \"ticket 4711: lost phone\"", 2);
        const { client, url } = connect();
        const { revoked } = await guarded(url, () =>
          client.revokeSession(positionals[0]!, { note: values.reason, ...(values.code ? { reason: values.code as "REVOKED" } : {}) }),
        );
        print(values.json, { revoked }, () => (revoked ? `Session ${positionals[0]} revoked.` : `Session ${positionals[0]} had already ended.`));
        return;
      }
      if (sub === "label") {
        const { values, positionals } = parse(args, {});
        if (positionals.length < 2) throw new CliError("Usage: latchkey sessions label ID LABEL", 2);
        const { client, url } = connect();
        const { session } = await guarded(url, () => client.updateSession(positionals[0]!, { deviceLabel: positionals.slice(1).join(" ") }));
        print(values.json, session, () => `Session ${session.id} is now labelled "${session.deviceLabel}".`);
        return;
      }
      if (sub === "revoke-matching") {
        const { values } = parse(args, { ...FILTER_OPTIONS, reason: { type: "string" }, code: { type: "string" }, "dry-run": { type: "boolean" } });
        const filter = filterOf(values);
        if (Object.keys(filter).length === 0) throw new CliError("Give at least one filter (--tenant, --ip, --created-before…): revoke-matching never means everything.", 2);
        if (!values["dry-run"] && !values.reason) throw new CliError("Say why: --reason \"ticket 4711: leaked tokens\"", 2);
        const { client, url } = connect();
        const body = { filter, note: values.reason, ...(values.code ? { reason: values.code as "REVOKED" } : {}) };
        const preview = await guarded(url, () => client.revokeMatchingSessions({ ...body, dryRun: true }));
        if (values["dry-run"]) {
          print(values.json, preview, () => `${preview.matched} live ${preview.matched === 1 ? "session matches" : "sessions match"}; nothing was revoked (--dry-run).`);
          return;
        }
        io.err(`Revoking ${preview.matched} live ${preview.matched === 1 ? "session" : "sessions"}…\n`);
        const result = await guarded(url, () => client.revokeMatchingSessions(body));
        print(values.json, result, () => `Revoked ${result.revoked} of ${result.matched} matching ${result.matched === 1 ? "session" : "sessions"}.`);
        return;
      }
      throw new CliError(`Unknown sessions command ${sub ?? "(none)"}: list, show, revoke, revoke-matching or label.`, 2);
    }

    case "service-session": {
      const [sub, ...args] = rest;
      if (sub !== "create") throw new CliError(`Unknown service-session command ${sub ?? "(none)"}: create.`, 2);
      const { values } = parse(args, {
        client: { type: "string" },
        scope: { type: "string", multiple: true },
        ttl: { type: "string" },
        "delegated-by": { type: "string" },
        tenant: { type: "string" },
      });
      if (!values.client || !values.scope?.length) throw new CliError("Name the client and its scopes: --client NAME --scope S [--scope S…]", 2);
      const ttlSeconds = values.ttl === undefined ? undefined : parseDurationSeconds(values.ttl);
      if (ttlSeconds === null) throw new CliError(`--ttl ${values.ttl} is not a duration (examples: 15m, 1h).`, 2);
      const { client, url } = connect();
      const issued = await guarded(url, () =>
        client.createServiceSession({ client: values.client!, scopes: values.scope!, ttlSeconds, delegatedBy: values["delegated-by"], tenantId: values.tenant }),
      );
      print(values.json, issued, () =>
        [
          `Service session ${issued.session.id} for ${values.client}, scopes ${issued.session.roles.join(", ")}, until ${issued.session.absoluteExpiresAt}.`,
          "Shown once; keep it secret:",
          `LATCHKEY_SESSION=${issued.environment}`,
        ].join("\n"),
      );
      return;
    }

    case "users": {
      const [sub, ...args] = rest;
      if (sub !== "logout-everywhere") throw new CliError(`Unknown users command ${sub ?? "(none)"}: logout-everywhere.`, 2);
      const { values, positionals } = parse(args, { reason: { type: "string" } });
      if (!positionals[0]) throw new CliError("Name a user: latchkey users logout-everywhere USER --reason TEXT", 2);
      if (!values.reason) throw new CliError("Say why: --reason \"ticket 4711\"", 2);
      const { client, url } = connect();
      const { revoked } = await guarded(url, () => client.revokeUserSessions(positionals[0]!, { note: values.reason }));
      print(values.json, { revoked }, () => `Logged ${positionals[0]} out everywhere: ${revoked} ${revoked === 1 ? "session" : "sessions"} ended.`);
      return;
    }

    case "sweep": {
      const { values } = parse(rest, { "dry-run": { type: "boolean" }, retention: { type: "string" }, step: { type: "string" } });
      const retentionSeconds = values.retention === undefined ? undefined : parseDurationSeconds(values.retention);
      if (retentionSeconds === null) throw new CliError(`--retention ${values.retention} is not a duration (examples: 7d, 12h).`, 2);
      const step = values.step === undefined ? 1000 : Number(values.step);
      if (!Number.isInteger(step) || step < 1) throw new CliError("--step must be a whole number of at least 1.", 2);
      const { client, url } = connect();
      const preview = await guarded(url, () => client.sweep({ dryRun: true, retentionSeconds }));
      if (values["dry-run"]) {
        print(values.json, preview, () => `Would delete ${preview.total} sessions: ${preview.idleExpired} idle-expired, ${preview.absoluteExpired} absolute-expired, ${preview.revoked} revoked (dead before ${preview.cutoff}).`);
        return;
      }
      const totals = { total: 0, idleExpired: 0, absoluteExpired: 0, revoked: 0 };
      progress(io, 0, preview.total);
      for (;;) {
        // Each step in the server's own batches: one of --step's size would hold a SQLite server's
        // thread (every request waiting) for the whole step.
        const batch = await guarded(url, () => client.sweep({ retentionSeconds, limit: step }));
        for (const key of ["total", "idleExpired", "absoluteExpired", "revoked"] as const) totals[key] += batch[key];
        progress(io, totals.total, Math.max(preview.total, totals.total));
        if (batch.total < step) break;
      }
      if (io.isTty) io.err("\n");
      print(values.json, totals, () => `Swept ${totals.total} sessions: ${totals.idleExpired} idle-expired, ${totals.absoluteExpired} absolute-expired, ${totals.revoked} revoked.`);
      return;
    }

    case "stats": {
      const { values } = parse(rest, {});
      const { client, url } = connect();
      const stats = await guarded(url, () => client.statistics());
      print(values.json, stats, () =>
        [
          `active ${stats.active}, expired not swept ${stats.expiredNotSwept}, revoked in the last 24 h ${stats.revokedLast24h}`,
          `created in the last 24 h: ${stats.createdPerHour.reduce((sum, bucket) => sum + bucket.count, 0)}`,
          `top browsers: ${stats.topBrowsers.map((item) => `${item.value} ${item.count}`).join(", ") || "-"}`,
          `top systems: ${stats.topOperatingSystems.map((item) => `${item.value} ${item.count}`).join(", ") || "-"}`,
          `device types: ${stats.topDeviceTypes.map((item) => `${item.value} ${item.count}`).join(", ") || "-"}`,
        ].join("\n"),
      );
      return;
    }

    case "debug": {
      const { values, positionals } = parse(rest, {});
      // "-" reads the token from standard input: it then stays out of shell history and process lists.
      const subject = positionals[0] === "-" ? await ask(io, "") : positionals[0];
      if (!subject) throw new CliError("Give a token, a session id or a user: latchkey debug lks_…|ID|EMAIL, or - to read it from standard input", 2);
      const { client, url } = connect();
      const input = subject.startsWith("lks_") ? { token: subject } : /^[A-Za-z0-9_-]{22}$/.test(subject) ? { sessionId: subject } : { user: subject };
      const diagnosis = await guarded(url, () => client.diagnose(input));
      print(values.json, diagnosis, () =>
        [
          `${diagnosis.verdict}: ${diagnosis.summary}`,
          ...Object.entries(diagnosis.evidence).map(([name, value]) => `  ${name}: ${value ?? "-"}`),
          ...(diagnosis.refusals.length > 0
            ? ["", table(["REFUSED AT", "REASON", "FROM", "IP"], diagnosis.refusals.map((r) => [when(r.at), r.reason, r.source, r.ip ?? "-"]))]
            : []),
        ].join("\n"),
      );
      return;
    }

    case "apps":
      return runApps(rest, { parse, connect, print, io });

    case "webhooks":
      return runWebhooks(rest, { parse, connect, print });

    default:
      throw new CliError(`Unknown command ${command}.\n\n${USAGE}`, 2);
  }
}

/** The session filters `sessions list` and `sessions revoke-matching` share. */
const FILTER_OPTIONS = {
  user: { type: "string" },
  ip: { type: "string" },
  device: { type: "string" },
  kind: { type: "string" },
  tenant: { type: "string" },
  "created-before": { type: "string" },
  "created-after": { type: "string" },
} as const;

/** Those filters as the API names them, the ones given only. */
function filterOf(values: Partial<Record<keyof typeof FILTER_OPTIONS, unknown>>): Record<string, string> {
  const named = {
    user: values.user,
    ip: values.ip,
    device: values.device,
    kind: values.kind,
    tenantId: values.tenant,
    createdTo: values["created-before"],
    createdFrom: values["created-after"],
  };
  return Object.fromEntries(Object.entries(named).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

type Parse = <O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O) => ReturnType<typeof parseArgs<O>>;

const POLICY_OPTIONS = {
  idle: { type: "string" },
  absolute: { type: "string" },
  touch: { type: "string" },
  grace: { type: "string" },
  guests: { type: "string" },
  limit: { type: "string" },
  "at-limit": { type: "string" },
} as const;

/** The policy flags of `apps create|preview|set-policy`, as a policy change. */
function policyFlags(values: Record<string, unknown>): PolicyChange {
  const change: PolicyChange = {};
  const seconds = (flag: string) => {
    const text = values[flag];
    if (text === undefined) return undefined;
    const parsed = parseDurationSeconds(String(text));
    if (parsed === null) throw new CliError(`--${flag} ${String(text)} is not a duration (examples: 30m, 12h, 30d).`, 2);
    return parsed;
  };
  change.idleTimeoutSeconds = seconds("idle");
  change.absoluteTimeoutSeconds = seconds("absolute");
  change.touchIntervalSeconds = seconds("touch");
  change.rotationGraceSeconds = seconds("grace");
  if (values.guests !== undefined) {
    if (!["yes", "no"].includes(String(values.guests))) throw new CliError("--guests takes yes or no.", 2);
    change.allowGuests = values.guests === "yes";
  }
  if (values.limit !== undefined) {
    const limit = values.limit === "none" ? null : Number(values.limit);
    if (limit !== null && (!Number.isInteger(limit) || limit < 1)) throw new CliError("--limit takes a whole number of at least 1, or none.", 2);
    change.sessionLimit = limit;
  }
  if (values["at-limit"] !== undefined) {
    const action = ({ "end-least-recently-used": "END_LEAST_RECENTLY_USED", "end-oldest": "END_OLDEST", refuse: "REFUSE" } as const)[String(values["at-limit"]) as "refuse"];
    if (!action) throw new CliError("--at-limit takes end-least-recently-used, end-oldest or refuse.", 2);
    change.sessionLimitAction = action;
  }
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as PolicyChange;
}

function describePolicy(policy: Omit<ApplicationJson, "id" | "name" | "createdAt" | "updatedAt" | "disabledAt">): string {
  const limit = policy.sessionLimit === null ? "no limit" : `at most ${policy.sessionLimit} live per user (${policy.sessionLimitAction.toLowerCase().replaceAll("_", " ")})`;
  return `idle ${policy.idleTimeoutSeconds} s, absolute ${policy.absoluteTimeoutSeconds} s, touch ${policy.touchIntervalSeconds} s, grace ${policy.rotationGraceSeconds} s, guests ${policy.allowGuests ? "yes" : "no"}, ${limit}`;
}

function describeImpact(impact: PolicyPreviewJson["impact"]): string {
  const limit = impact.usersOverLimit > 0 ? `; ${impact.usersOverLimit} users are over the limit: ${impact.endedByLimit} more sessions end` : "";
  return `ends ${impact.ended} live sessions now (${impact.endedByAbsolute} past the absolute cap, ${impact.endedByIdle} idle too long)${limit}`;
}

async function runApps(
  argv: string[],
  { parse, connect, print, io }: { parse: Parse; connect: () => { client: LatchkeyClient; url: string }; print: (json: boolean | undefined, value: unknown, text: () => string) => void; io: Io },
): Promise<void> {
  const [sub, ...args] = argv;
  switch (sub) {
    case "list": {
      const { values } = parse(args, {});
      const { client, url } = connect();
      const { items, asOf, live } = await guarded(url, () => client.listApplications());
      print(
        values.json,
        items,
        () =>
          table(
            ["ID", "NAME", "LIVE", "STATUS", "POLICY"],
            items.map((app) => [app.id, app.name, String(app.liveSessions), app.disabledAt ? "disabled" : "enabled", describePolicy(app)]),
          ) + (live === false && asOf ? `\nLive sessions as of ${asOf.slice(11, 19)} UTC (shared counts, refreshed every minute).` : ""),
      );
      return;
    }
    case "create": {
      const { values, positionals } = parse(args, POLICY_OPTIONS);
      if (!positionals[0]) throw new CliError("Name it: latchkey apps create NAME", 2);
      const { client, url } = connect();
      const { application } = await guarded(url, () => client.createApplication({ name: positionals[0]!, policy: policyFlags(values) }));
      print(values.json, application, () => `Created ${application.name} (${application.id}): ${describePolicy(application)}.`);
      return;
    }
    case "show": {
      const { values, positionals } = parse(args, {});
      if (!positionals[0]) throw new CliError("Name one: latchkey apps show APP", 2);
      const { client, url } = connect();
      const { application } = await guarded(url, () => client.getApplication(positionals[0]!));
      print(values.json, application, () => `${application.name} (${application.id}), ${application.disabledAt ? "disabled" : "enabled"}: ${describePolicy(application)}.`);
      return;
    }
    case "rename":
    case "disable":
    case "enable": {
      const { values, positionals } = parse(args, {});
      if (!positionals[0] || (sub === "rename" && !positionals[1])) throw new CliError(`Usage: latchkey apps ${sub} APP${sub === "rename" ? " NAME" : ""}`, 2);
      const { client, url } = connect();
      const body = sub === "rename" ? { name: positionals[1]! } : { disabled: sub === "disable" };
      const { application } = await guarded(url, () => client.updateApplication(positionals[0]!, body));
      print(values.json, application, () => `${application.name} (${application.id}) is ${application.disabledAt ? "disabled: its keys and sessions are refused" : "enabled"}.`);
      return;
    }
    case "preview":
    case "set-policy": {
      const { values, positionals } = parse(args, { ...POLICY_OPTIONS, yes: { type: "boolean" } });
      if (!positionals[0]) throw new CliError(`Name the application: latchkey apps ${sub} APP --absolute 7d`, 2);
      const change = policyFlags(values);
      if (Object.keys(change).length === 0) throw new CliError("Say what changes: --idle, --absolute, --touch, --grace, --guests, --limit or --at-limit.", 2);
      const { client, url } = connect();
      const preview = await guarded(url, () => client.previewApplicationPolicy(positionals[0]!, change));
      if (sub === "preview" || !values.yes) {
        print(values.json, preview, () =>
          [`Now:      ${describePolicy(preview.current)}`, `Proposed: ${describePolicy(preview.proposed)}`, `It ${describeImpact(preview.impact)}.`, sub === "set-policy" ? "Not applied: run again with --yes." : ""]
            .filter(Boolean)
            .join("\n"),
        );
        if (sub === "set-policy") throw new CliError("Not applied (add --yes once the preview is what you want).", 1);
        return;
      }
      const updated = await guarded(url, () => client.updateApplication(positionals[0]!, { policy: change }));
      print(values.json, updated, () => `Policy of ${updated.application.name} changed: it ${describeImpact(updated.impact ?? preview.impact)}. Existing sessions are being rewritten to it in the background.`);
      return;
    }
    default:
      throw new CliError(`Unknown apps command ${sub ?? "(none)"}: list, create, show, rename, disable, enable, preview or set-policy.`, 2);
  }
}

async function runWebhooks(
  argv: string[],
  { parse, connect, print }: { parse: Parse; connect: () => { client: LatchkeyClient; url: string }; print: (json: boolean | undefined, value: unknown, text: () => string) => void },
): Promise<void> {
  const [sub, ...args] = argv;
  const need = (positionals: string[], count: number, usage: string) => {
    if (positionals.length < count) throw new CliError(`Usage: latchkey webhooks ${usage}`, 2);
  };
  const status = (endpoint: WebhookEndpointJson) => (endpoint.disabledAt ? `disabled (${endpoint.disabledReason ?? ""})` : endpoint.failingSince ? `failing since ${endpoint.failingSince}` : "enabled");
  switch (sub) {
    case "list": {
      const { values, positionals } = parse(args, {});
      need(positionals, 1, "list APP");
      const { client, url } = connect();
      const { items } = await guarded(url, () => client.listWebhooks(positionals[0]!));
      print(values.json, items, () =>
        items.length === 0
          ? "No webhook endpoints."
          : table(["ID", "URL", "EVENTS", "STATUS"], items.map((endpoint) => [endpoint.id, endpoint.url, endpoint.eventTypes.join(",") || "all", status(endpoint)])),
      );
      return;
    }
    case "add": {
      const { values, positionals } = parse(args, { event: { type: "string", multiple: true }, description: { type: "string" } });
      need(positionals, 2, "add APP URL [--event TYPE…]");
      const { client, url } = connect();
      const created = await guarded(url, () =>
        client.createWebhook(positionals[0]!, { url: positionals[1]!, eventTypes: (values.event ?? []) as WebhookEventType[], description: values.description ?? null }),
      );
      print(values.json, created, () => `Added ${created.endpoint.url} (${created.endpoint.id}).\nSigning secret (shown only now): ${created.secret}`);
      return;
    }
    case "deliveries": {
      const { values, positionals } = parse(args, { limit: { type: "string" } });
      need(positionals, 2, "deliveries APP ENDPOINT");
      const { client, url } = connect();
      const { items } = await guarded(url, () => client.listWebhookDeliveries(positionals[0]!, positionals[1]!, values.limit ? { limit: Number(values.limit) } : {}));
      print(values.json, items, () =>
        table(
          ["ID", "EVENT", "STATUS", "ATTEMPTS", "LAST ANSWER", "NEXT RETRY"],
          items.map((delivery) => {
            const last = delivery.attemptLog[0];
            return [String(delivery.id), delivery.type, delivery.status.toLowerCase(), String(delivery.attempts), last ? `${last.status ?? last.error ?? "none"} in ${last.latencyMs} ms` : "-", delivery.nextAttemptAt ?? "-"];
          }),
        ),
      );
      return;
    }
    case "test":
    case "rotate-secret":
    case "disable":
    case "enable":
    case "remove": {
      const { values, positionals } = parse(args, {});
      need(positionals, 2, `${sub} APP ENDPOINT`);
      const [app, endpointId] = [positionals[0]!, positionals[1]!];
      const { client, url } = connect();
      if (sub === "test") {
        const { delivery } = await guarded(url, () => client.testWebhook(app, endpointId));
        print(values.json, delivery, () => `Test event queued (delivery ${delivery.id}).`);
      } else if (sub === "rotate-secret") {
        const rotated = await guarded(url, () => client.rotateWebhookSecret(app, endpointId));
        print(values.json, rotated, () => `New signing secret (shown only now): ${rotated.secret}\nThe previous one signs beside it until ${rotated.endpoint.previousSecretExpiresAt}.`);
      } else if (sub === "remove") {
        const removed = await guarded(url, () => client.deleteWebhook(app, endpointId));
        print(values.json, removed, () => `Removed ${endpointId}.`);
      } else {
        const { endpoint } = await guarded(url, () => client.updateWebhook(app, endpointId, { disabled: sub === "disable" }));
        print(values.json, endpoint, () => `${endpoint.url} is ${status(endpoint)}.`);
      }
      return;
    }
    case "resend": {
      const { values, positionals } = parse(args, {});
      need(positionals, 2, "resend APP DELIVERY_ID");
      const id = Number(positionals[1]);
      if (!Number.isInteger(id) || id < 1) throw new CliError("DELIVERY_ID is a delivery's number (see latchkey webhooks deliveries).", 2);
      const { client, url } = connect();
      const queued = await guarded(url, () => client.resendWebhookDelivery(positionals[0]!, id));
      print(values.json, queued, () => `Delivery ${id} queued again.`);
      return;
    }
    default:
      throw new CliError(`Unknown webhooks command ${sub ?? "(none)"}: list, add, deliveries, test, resend, rotate-secret, disable, enable or remove.`, 2);
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Partial<Io> = {}): Promise<number> {
  const full: Io = {
    out: io.out ?? ((text) => process.stdout.write(text)),
    err: io.err ?? ((text) => process.stderr.write(text)),
    env: io.env ?? process.env,
    stdin: io.stdin ?? process.stdin,
    isTty: io.isTty ?? Boolean(process.stderr.isTTY),
  };
  try {
    await run(argv, full);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      full.err(`latchkey: ${error.message}\n`);
      return error.exitCode;
    }
    full.err(`latchkey: unexpected error: ${(error as Error).message}\n`);
    return 1;
  } finally {
    reader?.rl.close();
    reader = null;
  }
}
