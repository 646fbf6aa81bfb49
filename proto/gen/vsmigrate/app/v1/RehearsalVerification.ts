// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface RehearsalVerification {
  'ok'?: (boolean);
  'tablesDiffering'?: (string)[];
}

export interface RehearsalVerification__Output {
  'ok': (boolean);
  'tablesDiffering': (string)[];
}
