// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { Long } from '@grpc/proto-loader';

export interface TableProgress {
  'table'?: (string);
  'rowsDone'?: (number | string | Long);
  'rowsTotal'?: (number | string | Long);
  'bytesDone'?: (number | string | Long);
  /**
   * pending | copying | done | verified | different
   */
  'state'?: (string);
  /**
   * the table's size in the SQLite file: its weight in the copy's progress
   */
  'bytesTotal'?: (number | string | Long);
}

export interface TableProgress__Output {
  'table': (string);
  'rowsDone': (string);
  'rowsTotal': (string);
  'bytesDone': (string);
  /**
   * pending | copying | done | verified | different
   */
  'state': (string);
  /**
   * the table's size in the SQLite file: its weight in the copy's progress
   */
  'bytesTotal': (string);
}
