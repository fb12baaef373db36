/**
 * Workflow inputs, outputs, signals and queries: the contract shared by workflows, the receiver, the CLI and tests.
 * Signal and query names are stored in history: never rename them.
 */

/** Input of checkConnections. */
export interface CheckConnectionsInput {
  /** Which remote systems to check. @default both */
  systems?: ('asana' | 'attio')[];
}

export interface ConnectionCheck {
  system: 'asana' | 'attio';
  ok: boolean;
  /** Who the credentials belong to (Asana user gid / Attio workspace id), when ok. Never a name or an email. */
  identity?: string;
  /** Why it failed, as an operator can act on it. */
  error?: string;
}

export interface CheckConnectionsResult {
  checks: ConnectionCheck[];
  ok: boolean;
}
