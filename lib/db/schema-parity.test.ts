import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The SQLite and PostgreSQL schemas must describe the same models, fields and indexes; only the
 * datasource, the generator output and native type attributes (@db.*) may differ.
 */
function normalize(file: string): Record<string, string[]> {
  const text = readFileSync(path.join(process.cwd(), file), "utf8");
  const models: Record<string, string[]> = {};
  for (const match of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, name, body] = match;
    models[name!] = body!
      .split("\n")
      .map((line) => line.replace(/\/\/.*$/, "").replace(/@db\.\w+(\([^)]*\))?/g, "").replace(/\s+/g, " ").trim())
      .filter(Boolean)
      .sort();
  }
  return models;
}

describe("schema parity", () => {
  it("prisma/schema.prisma and prisma/postgres/schema.prisma have the same models, fields and indexes", () => {
    const sqlite = normalize("prisma/schema.prisma");
    const postgres = normalize("prisma/postgres/schema.prisma");
    expect(Object.keys(sqlite).length).toBeGreaterThan(0);
    expect(postgres).toEqual(sqlite);
  });

  it("each provider's migrations create every index its schema declares", () => {
    for (const [schema, migrations] of [
      ["prisma/schema.prisma", "prisma/migrations"],
      ["prisma/postgres/schema.prisma", "prisma/postgres/migrations"],
    ] as const) {
      const models = normalize(schema);
      const sql = readMigrationSql(migrations);
      for (const [model, lines] of Object.entries(models)) {
        expect(sql, `${migrations}: table ${model}`).toContain(`CREATE TABLE "${model}"`);
        for (const line of lines) {
          const index = /^@@(index|unique|id)\(\[([^\]]+)\]/.exec(line);
          if (index?.[1] === "id") continue;
          if (!index) continue;
          const columns = index[2]!.split(",").map((column) => column.trim());
          const mapped = /map:\s*"([^"]+)"/.exec(line)?.[1];
          const name = mapped ?? `${model}_${columns.join("_")}_${index[1] === "unique" ? "key" : "idx"}`;
          expect(sql, `${migrations}: index ${name}`).toContain(`"${name}"`);
        }
        for (const field of lines.filter((line) => !line.startsWith("@@"))) {
          const [column, type = ""] = field.split(" ");
          if (type.replace(/[?[\]]/g, "") in models) continue; // a relation, not a column
          expect(sql, `${migrations}: column ${model}.${column}`).toContain(`"${column}"`);
        }
      }
    }
  });
});

function readMigrationSql(dir: string): string {
  return readdirSync(path.join(process.cwd(), dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => readFileSync(path.join(process.cwd(), dir, entry.name, "migration.sql"), "utf8"))
    .join("\n");
}
