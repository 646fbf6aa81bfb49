// The one progress view (shared/live-view.ts), fed an operation's events with
// a clock of the test's own: on a terminal, a bar per running table against the
// totals planned before the copy and an overall line with MB/s and an ETA; in
// a log, a plain progress line every 5 s.
import test from 'ava';
import { Writable } from 'node:stream';
import { LiveView } from '../../shared/live-view.js';
import type { ViewEvent } from '../../shared/live-view.js';

function sink(tty: boolean): Writable & { text: string; isTTY?: boolean; columns?: number } {
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string; isTTY?: boolean; columns?: number };
  out.text = '';
  if (tty) {
    out.isTTY = true;
    out.columns = 160;
  }
  return out;
}

const MB = 1048576;
const ESC = '\u001b';
const plan: ViewEvent = {
  plan: {
    tables: [
      {
        table: 'Notification',
        rowsDone: '0',
        rowsTotal: '30000',
        bytesDone: '0',
        bytesTotal: String(30 * MB),
        state: 'pending',
      },
      {
        table: 'User',
        rowsDone: '0',
        rowsTotal: '2000',
        bytesDone: '0',
        bytesTotal: String(10 * MB),
        state: 'pending',
      },
    ],
  },
};
const progress = (table: string, done: number, total: number, bytes: number): ViewEvent => ({
  table: {
    table,
    rowsDone: String(done),
    rowsTotal: String(total),
    bytesDone: String(bytes),
    bytesTotal: '0',
    state: 'copying',
  },
});

test('on a terminal: a bar per running table against the planned totals, and an overall line with MB/s and ETA', (t) => {
  let now = 0;
  const out = sink(true);
  const view = new LiveView(out, { now: () => now });
  view.event({ step: { name: 'copy', state: 'started', seconds: 0, detail: '' } });
  view.event(plan);
  now = 10_000;
  view.event(progress('Notification', 15000, 30000, 20 * MB));
  const screen = out.text.slice(out.text.lastIndexOf('• copy ...'));
  t.regex(screen, /Notification +\[#{10}\.{10}\] +50% +15k\/30k rows +- MB\/s +ETA -/, 'no rate before a second event');
  // Half of the table that weighs 30 MB of 40 MB: 37 % done after 10 s, so about 17 s left.
  t.regex(screen, /copy: +37% +0\/2 tables +15k\/32k rows +20\.0 MB +2\.0 MB\/s +ETA 0:16/);
  now = 15_000;
  view.event(progress('Notification', 22500, 30000, 30 * MB));
  // 7,500 rows and 10 MB in 5 s: 2.0 MB/s, and 7,500 rows left at 1,500 a second.
  t.regex(
    out.text.slice(out.text.lastIndexOf('\x1b[')),
    /Notification +\[#{15}\.{5}\] +75% +23k\/30k rows +2\.0 MB\/s +ETA 0:05/,
  );
  now = 20_000;
  view.event(progress('Notification', 30000, 30000, 40 * MB));
  view.event(progress('User', 2000, 2000, 4 * MB));
  t.regex(out.text, /copy: 100% +2\/2 tables +32k\/32k rows +44\.0 MB +2\.2 MB\/s +ETA 0:00/);
  view.event({ step: { name: 'copy', state: 'finished', seconds: 20, detail: '32000 rows' } });
  t.true(
    out.text.endsWith(`${ESC}[1A${ESC}[J  copy: done in 20.0 s (32000 rows)\n`),
    'the live part is taken off first',
  );
});

test('in a log: no redrawing, a plain progress line every 5 s', (t) => {
  let now = 0;
  const out = sink(false);
  const view = new LiveView(out, { now: () => now });
  view.event({ step: { name: 'copy', state: 'started', seconds: 0, detail: '' } });
  view.event(plan);
  for (const [at, done] of [
    [1000, 3000],
    [2000, 6000],
    [6000, 9000],
    [7000, 12000],
    [12000, 15000],
  ] as const) {
    now = at;
    view.event(progress('Notification', done, 30000, done * 1000));
  }
  const lines = out.text.split('\n').filter((l) => l.includes('copy: ') && l.includes('%'));
  // The first after 5 s of copying, then one per 5 s, whatever the events' pace.
  t.is(lines.length, 2, out.text);
  t.false(out.text.includes(ESC));
});
