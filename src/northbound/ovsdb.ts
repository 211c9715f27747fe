/**
 * Minimal OVSDB JSON-RPC client (RFC 7047) to send one `transact` to a unix socket.
 * `ovsdb-client transact` takes the transaction as a single argv string, which the kernel caps at
 * 128 KiB (MAX_ARG_STRLEN); large clusters exceed that, so loaders talk to the socket directly.
 */
import { createConnection } from 'node:net';

export interface TransactResult {
  /** one entry per operation: {uuid}, {count}, {rows}, {} or {error, details} */
  result: Array<Record<string, unknown> | null>;
  /** operations that failed, with their index */
  errors: Array<{ index: number; error: string; details?: string }>;
}

/** Send `["OVN_Northbound", op…]` (the text formatTransact writes) as one transaction. */
export function ovsdbTransact(socketPath: string, transaction: string | unknown[], timeoutMs = 60_000): Promise<TransactResult> {
  const params = typeof transaction === 'string' ? (JSON.parse(transaction) as unknown[]) : transaction;
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    let buf = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`ovsdb transact timed out after ${timeoutMs} ms`)); }, timeoutMs);
    const done = (err: Error | null, value?: TransactResult) => {
      clearTimeout(timer);
      sock.end();
      if (err) reject(err); else resolve(value!);
    };
    sock.on('error', (e) => done(e));
    sock.on('connect', () => sock.write(JSON.stringify({ method: 'transact', params, id: 1 })));
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let msg: { id?: unknown; method?: string; result?: unknown; error?: unknown; params?: unknown };
      try { msg = JSON.parse(buf) as typeof msg; } catch { return; } // incomplete
      buf = '';
      if (msg.method === 'echo') { sock.write(JSON.stringify({ result: msg.params, error: null, id: msg.id })); return; }
      if (msg.id !== 1) return;
      if (msg.error) { done(new Error(`ovsdb error: ${JSON.stringify(msg.error)}`)); return; }
      const result = (msg.result ?? []) as Array<Record<string, unknown> | null>;
      const errors = result.flatMap((r, index) => (r && typeof r.error === 'string'
        ? [{ index, error: r.error, ...(typeof r.details === 'string' ? { details: r.details } : {}) }] : []));
      done(null, { result, errors });
    });
  });
}
