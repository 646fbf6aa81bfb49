// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchRequest {
  'operationId'?: (string);
  'afterSequence'?: (number | string | Long);
}

export interface WatchRequest__Output {
  'operationId': (string);
  'afterSequence': (string);
}
