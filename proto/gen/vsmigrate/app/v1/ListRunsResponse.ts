// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { Operation as _vsmigrate_app_v1_Operation, Operation__Output as _vsmigrate_app_v1_Operation__Output } from '../../../vsmigrate/app/v1/Operation.js';

export interface ListRunsResponse {
  'runs'?: (_vsmigrate_app_v1_Operation)[];
}

export interface ListRunsResponse__Output {
  'runs': (_vsmigrate_app_v1_Operation__Output)[];
}
