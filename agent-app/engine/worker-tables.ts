// What a worker thread needs to know of a table to read it as the engine does:
// its columns and enum labels, widened columns, and the lint plan's quarantined
// rows and repairs, in a form that crosses postMessage (no Maps).
import { converterFor } from './convert.js';
import type { ColumnConverter, SqliteValue } from './convert.js';
import type { LintPlan } from './lint.js';
import type { Column, Schema } from './prisma-schema.js';

export interface WorkerTable {
  name: string;
  columns: Column[];
  enums: Record<string, string[]>;
  widened: string[];
  quarantine: number[];
  repairs: Array<[number, Array<[string, SqliteValue]>]>;
}

export function workerTables(schema: Schema, plan: LintPlan): Record<string, WorkerTable> {
  const enums = Object.fromEntries(schema.enums.map((e) => [e.name, e.values]));
  return Object.fromEntries(
    schema.tables.map((t) => [
      t.name,
      {
        name: t.name,
        columns: t.columns,
        enums,
        widened: t.columns.filter((c) => plan.widened.has(`${t.name}.${c.name}`)).map((c) => c.name),
        quarantine: [...(plan.quarantine.get(t.name)?.keys() ?? [])],
        repairs: [...(plan.repairs.get(t.name)?.entries() ?? [])].map(([rowid, cols]) => [rowid, [...cols.entries()]]),
      } satisfies WorkerTable,
    ]),
  );
}

/** Each column's enum labels (an enum column) and whether the lint widened it to BIGINT. */
export function columnFacts(t: WorkerTable): Array<{ labels: ReadonlySet<string> | undefined; widened: boolean }> {
  return t.columns.map((c) => ({
    labels: c.enumName ? new Set(t.enums[c.enumName]) : undefined,
    widened: t.widened.includes(c.name),
  }));
}

/** Each column's COPY text converter as the copy uses it: on values the lint has already checked. */
export function copyConverters(t: WorkerTable, facts = columnFacts(t)): ColumnConverter[] {
  return t.columns.map((c, i) => converterFor(c, facts[i]!.labels, { linted: true, widened: facts[i]!.widened }));
}
