// Original file: proto/vsmigrate/db/v1/agent_db.proto


/**
 * What went wrong, safe to show an operator. `code` is a stable VS_ERR_* code.
 */
export interface ErrorInfo {
  'code'?: (string);
  'message'?: (string);
  'hint'?: (string);
}

/**
 * What went wrong, safe to show an operator. `code` is a stable VS_ERR_* code.
 */
export interface ErrorInfo__Output {
  'code': (string);
  'message': (string);
  'hint': (string);
}
