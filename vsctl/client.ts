// vsctl's connection to agent-app: the unix socket by default. vsctl imports only
// the contract and shared client pieces, never agent internals.
import * as grpc from '@grpc/grpc-js';
import type { AgentAppClient } from '../proto/gen/vsmigrate/app/v1/AgentApp.js';
import { loadContract } from '../shared/grpc.js';

export function connectAgentApp(socketPath: string): AgentAppClient {
  const { app } = loadContract();
  return new app.vsmigrate.app.v1.AgentApp(`unix:${socketPath}`, grpc.credentials.createInsecure());
}

/** Run `fn` with a client of agent-app's socket, closed afterwards. */
export async function withAgentApp<T>(socketPath: string, fn: (client: AgentAppClient) => Promise<T>): Promise<T> {
  const client = connectAgentApp(socketPath);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
