// What the engine reports while it runs: a step started, finished or skipped,
// the tables the copy will move with their totals, a table's copy progress, a
// lint finding; and the same as an operation's event, the one form agent-app's
// operations send and every progress view reads.
import type { ViewEvent } from '../../shared/live-view.js';
import type { Finding } from './lint.js';

export type EngineEvent =
  | { type: 'step'; name: string; state: 'started' | 'finished' | 'skipped'; seconds?: number; detail?: string }
  | { type: 'plan'; tables: Array<{ table: string; rows: number; bytes: number }> }
  | { type: 'table'; table: string; rowsDone: number; rowsTotal: number; bytesDone: number }
  | { type: 'finding'; finding: Finding };

const tableProgress = (
  table: string,
  rowsDone: number,
  rowsTotal: number,
  bytesDone: number,
  bytesTotal: number,
  state: string,
) => ({
  table,
  rowsDone: String(rowsDone),
  rowsTotal: String(rowsTotal),
  bytesDone: String(bytesDone),
  bytesTotal: String(bytesTotal),
  state,
});

/** An engine event as an operation's event. */
export function operationEventOf(e: EngineEvent): ViewEvent {
  switch (e.type) {
    case 'step':
      return { step: { name: e.name, state: e.state, seconds: e.seconds ?? 0, detail: e.detail ?? '' } };
    case 'plan':
      return { plan: { tables: e.tables.map((t) => tableProgress(t.table, 0, t.rows, 0, t.bytes, 'pending')) } };
    case 'table':
      return {
        table: tableProgress(
          e.table,
          e.rowsDone,
          e.rowsTotal,
          e.bytesDone,
          0,
          e.rowsDone >= e.rowsTotal ? 'done' : 'copying',
        ),
      };
    case 'finding': {
      const f = e.finding;
      return {
        finding: { table: f.table, key: f.key, column: f.column, rule: f.rule, excerpt: f.excerpt, action: f.action },
      };
    }
  }
}
