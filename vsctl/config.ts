// vsctl's settings: agent-app's socket and the deadline of a call; each also a
// flag (--socket-path, --timeout-ms) and an environment variable (VS_*).
import { z } from 'zod';

export const VsctlConfigSchema = z.strictObject({
  socketPath: z.string().default('/run/visionsuit-agent-app/vsctl.sock').describe("agent-app's unix socket"),
  timeoutMs: z.number().int().min(1).default(15_000).describe('deadline of a call to agent-app'),
});

export type VsctlConfig = z.output<typeof VsctlConfigSchema>;
