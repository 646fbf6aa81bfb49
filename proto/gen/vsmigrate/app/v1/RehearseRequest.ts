// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { Policy as _vsmigrate_app_v1_Policy, Policy__Output as _vsmigrate_app_v1_Policy__Output } from '../../../vsmigrate/app/v1/Policy.js';
import type { Long } from '@grpc/proto-loader';

export interface RehearseRequest {
  /**
   * keep the scratch database afterwards
   */
  'keep'?: (boolean);
  'policies'?: (_vsmigrate_app_v1_Policy)[];
  'maxRateBytesPerSecond'?: (number | string | Long);
}

export interface RehearseRequest__Output {
  /**
   * keep the scratch database afterwards
   */
  'keep': (boolean);
  'policies': (_vsmigrate_app_v1_Policy__Output)[];
  'maxRateBytesPerSecond': (string);
}
