// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface RehearsalTable {
  'name'?: (string);
  'rows'?: (number | string);
  'bytes'?: (number | string);
  'seconds'?: (number | string);
}

export interface RehearsalTable__Output {
  'name': (string);
  'rows': (number);
  'bytes': (number);
  'seconds': (number);
}
