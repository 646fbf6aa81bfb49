// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface Finding {
  'table'?: (string);
  'key'?: (string);
  'column'?: (string);
  'rule'?: (string);
  'excerpt'?: (string);
  'action'?: (string);
}

export interface Finding__Output {
  'table': (string);
  'key': (string);
  'column': (string);
  'rule': (string);
  'excerpt': (string);
  'action': (string);
}
