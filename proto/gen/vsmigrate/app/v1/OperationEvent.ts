// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { StepEvent as _vsmigrate_app_v1_StepEvent, StepEvent__Output as _vsmigrate_app_v1_StepEvent__Output } from '../../../vsmigrate/app/v1/StepEvent.js';
import type { TableProgress as _vsmigrate_app_v1_TableProgress, TableProgress__Output as _vsmigrate_app_v1_TableProgress__Output } from '../../../vsmigrate/app/v1/TableProgress.js';
import type { Finding as _vsmigrate_app_v1_Finding, Finding__Output as _vsmigrate_app_v1_Finding__Output } from '../../../vsmigrate/app/v1/Finding.js';
import type { LogLine as _vsmigrate_app_v1_LogLine, LogLine__Output as _vsmigrate_app_v1_LogLine__Output } from '../../../vsmigrate/app/v1/LogLine.js';
import type { Operation as _vsmigrate_app_v1_Operation, Operation__Output as _vsmigrate_app_v1_Operation__Output } from '../../../vsmigrate/app/v1/Operation.js';
import type { CopyPlan as _vsmigrate_app_v1_CopyPlan, CopyPlan__Output as _vsmigrate_app_v1_CopyPlan__Output } from '../../../vsmigrate/app/v1/CopyPlan.js';
import type { Long } from '@grpc/proto-loader';

export interface OperationEvent {
  'sequence'?: (number | string | Long);
  'operationId'?: (string);
  'time'?: (string);
  'step'?: (_vsmigrate_app_v1_StepEvent | null);
  'table'?: (_vsmigrate_app_v1_TableProgress | null);
  'finding'?: (_vsmigrate_app_v1_Finding | null);
  'log'?: (_vsmigrate_app_v1_LogLine | null);
  'finished'?: (_vsmigrate_app_v1_Operation | null);
  'plan'?: (_vsmigrate_app_v1_CopyPlan | null);
  'event'?: "step"|"table"|"finding"|"log"|"finished"|"plan";
}

export interface OperationEvent__Output {
  'sequence': (string);
  'operationId': (string);
  'time': (string);
  'step'?: (_vsmigrate_app_v1_StepEvent__Output | null);
  'table'?: (_vsmigrate_app_v1_TableProgress__Output | null);
  'finding'?: (_vsmigrate_app_v1_Finding__Output | null);
  'log'?: (_vsmigrate_app_v1_LogLine__Output | null);
  'finished'?: (_vsmigrate_app_v1_Operation__Output | null);
  'plan'?: (_vsmigrate_app_v1_CopyPlan__Output | null);
  'event'?: "step"|"table"|"finding"|"log"|"finished"|"plan";
}
