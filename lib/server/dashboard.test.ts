import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics";

// The Grafana dashboard in docs/ is built on the metric names the server exports: a renamed or
// removed metric, or a label it does not have, shows here rather than as an empty panel.

interface Target {
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  gridPos: { h: number; w: number; x: number; y: number };
}
const dashboard = JSON.parse(readFileSync(path.join(process.cwd(), "docs", "grafana-dashboard.json"), "utf8")) as {
  title: string;
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
};

/** Every series name a scrape can hold, with the labels each has (Prometheus adds instance and job). */
function exported(): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const metric of createMetrics().registry.getMetricsAsArray()) {
    const labels = new Set([...((metric as unknown as { labelNames?: string[] }).labelNames ?? []), "instance", "job"]);
    const type = (metric as unknown as { type: string }).type;
    if (type === "histogram") {
      names.set(`${metric.name}_bucket`, new Set([...labels, "le"]));
      names.set(`${metric.name}_sum`, labels);
      names.set(`${metric.name}_count`, labels);
    } else {
      names.set(metric.name, labels);
    }
  }
  return names;
}

const FUNCTIONS_AND_WORDS = new Set(["sum", "by", "rate", "increase", "histogram_quantile", "min", "max", "time", "without", "on", "ignoring", "and", "or", "unless"]);

/** The metric selectors of a PromQL expression: name, and the label names it matches on. */
function selectorsOf(expr: string): { name: string; labels: string[] }[] {
  const withoutGroupings = expr.replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, "");
  const selectors: { name: string; labels: string[] }[] = [];
  for (const match of withoutGroupings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?/g)) {
    const name = match[1]!;
    if (FUNCTIONS_AND_WORDS.has(name) || /^\d/.test(name) || name.startsWith("__") || name === "e9") continue;
    const labels = [...(match[2] ?? "").matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)/g)].map((label) => label[1]!);
    selectors.push({ name, labels });
  }
  return selectors;
}

describe("docs/grafana-dashboard.json", () => {
  const targets = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

  it("is a Grafana dashboard with a Prometheus datasource variable that every panel and query uses", () => {
    expect(dashboard).toMatchObject({ title: "Latchkey", uid: expect.any(String), schemaVersion: expect.any(Number) });
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }));
    expect(targets.length).toBeGreaterThan(20);
    for (const panel of dashboard.panels.filter((panel) => panel.type !== "row")) {
      expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: "${datasource}" });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(panel.datasource);
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
    }
    const ids = dashboard.panels.map((panel) => (panel as unknown as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("queries only metrics the server exports, with labels they have", () => {
    const names = exported();
    let checked = 0;
    for (const { panel, target } of targets) {
      const selectors = selectorsOf(target.expr);
      expect(selectors.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
      for (const { name, labels } of selectors) {
        expect(names.has(name), `${panel.title}: ${name} is not exported`).toBe(true);
        for (const label of labels) expect(names.get(name)!.has(label), `${panel.title}: ${name} has no label ${label}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("the check itself tells a misspelt metric or label", () => {
    const names = exported();
    const [wrongName] = selectorsOf('sum(rate(latchkey_token_check_total{result="refused"}[5m]))');
    expect(names.has(wrongName!.name)).toBe(false);
    const [wrongLabel] = selectorsOf('sum by (route) (rate(latchkey_token_checks_total{path="/x"}[5m]))');
    expect(names.get(wrongLabel!.name)!.has(wrongLabel!.labels[0]!)).toBe(false);
  });
});
