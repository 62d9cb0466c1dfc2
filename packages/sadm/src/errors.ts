/**
 * An error a remote method raises on purpose, carried to the client as SADM's exception
 * envelope: `type` becomes `exn_type` (a Python exception name such as `RuntimeError`,
 * `ValueError`, `TypeError`), `message` becomes `exn_message`. The HTTP status is 500 unless
 * given, as SADM answers every exception raised inside a method.
 */
export class RpcError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 500) {
    super(message);
    this.name = 'RpcError';
    this.type = type;
    this.status = status;
  }
}
