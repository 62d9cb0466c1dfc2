import { type ChildProcess, spawn } from 'node:child_process';

/**
 * SADM's blocking sync client (`prologin/synchronisation.py`, `Client.poll_updates` and
 * `send_updates`) in stdlib Python, so tests drive lanctl's `/poll` and `/update` with the
 * client SADM's subscribers really use: Python's hmac for timeauth, urllib without a timeout,
 * one `json.loads` per line, a fresh state on reconnect, exit 1 on a connection error.
 *
 *   poll URL PK SECRET     prints {"state", "meta", "raw"} per message, {"event": ...} otherwise
 *   update URL SECRET DATA prints {"status", "body"} of one signed POST /update
 */
const SCRIPT = String.raw`
import hashlib, hmac, json, sys, time, urllib.error, urllib.parse, urllib.request

def generate_token(secret, message):
    ts = int(time.time())
    mac = hmac.new(secret, msg=(str(message) + str(ts)).encode('ascii'),
                   digestmod=hashlib.sha256).hexdigest()
    return '{}:{}'.format(ts, mac)

def apply_updates(pk, state, updates):
    meta = {}
    for update in updates:
        key = update['data'][pk]
        if update['type'] == 'update':
            meta[key] = 'updated' if key in state else 'created'
            state[key] = update['data']
        elif update['type'] == 'delete' and key in state:
            del state[key]
            meta[key] = 'deleted'
    return meta

def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()

def poll(url, pk, secret):
    while True:
        query = urllib.parse.urlencode({'data': json.dumps({}),
                                        'hmac': generate_token(secret, None)})
        try:
            stream = urllib.request.urlopen(url + '/poll?' + query)
        except Exception as e:
            emit({'event': 'error', 'error': str(e)})
            sys.exit(1)
        state = {}
        with stream:
            while True:
                line = stream.readline()
                try:
                    updates = json.loads(line.decode())
                except ValueError:
                    break
                meta = apply_updates(pk, state, updates)
                emit({'state': state, 'meta': meta, 'raw': line.decode()})
        emit({'event': 'reconnect'})

def update(url, secret, data):
    body = urllib.parse.urlencode({'data': data, 'hmac': generate_token(secret, data)})
    try:
        with urllib.request.urlopen(url + '/update', data=body.encode('ascii')) as r:
            emit({'status': r.status, 'body': r.read().decode()})
    except urllib.error.HTTPError as e:
        emit({'status': e.code, 'body': e.read().decode()})

if sys.argv[1] == 'poll':
    poll(sys.argv[2], sys.argv[3], sys.argv[4].encode())
else:
    update(sys.argv[2], sys.argv[3].encode(), sys.argv[4])
`;

export interface SadmPollMessage {
  /** The client's state after this message, keyed by the primary key. */
  state: Record<string, Record<string, unknown>>;
  meta: Record<string, 'created' | 'updated' | 'deleted'>;
  /** The line as received (a keep-alive shows as leading spaces). */
  raw: string;
}

export interface SadmPollClient {
  /** Messages since the last (re)connection: the first is the backlog. */
  messages: SadmPollMessage[];
  /** `reconnect` and `error` events, in order. */
  events: string[];
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  stop(): void;
}

const python = (args: string[]): ChildProcess =>
  spawn('python3', ['-u', '-c', SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

/** Starts SADM's blocking `/poll` client on `url`, keyed by `pk`, signing with `secret`. */
export function startSadmPollClient(url: string, pk: string, secret: string): SadmPollClient {
  const child = python(['poll', url, pk, secret]);
  const client: SadmPollClient = {
    messages: [],
    events: [],
    exited: new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    }),
    output: () => ({ stdout, stderr }),
    stop: () => {
      child.kill();
    },
  };
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const parsed = JSON.parse(line) as SadmPollMessage & { event?: string };
      if (parsed.event) client.events.push(parsed.event);
      if (parsed.event === 'reconnect') client.messages = [];
      if (!parsed.event) client.messages.push(parsed);
    }
  });
  return client;
}

/** SADM's `send_updates`: one POST /update of `data`, signed with `secret` by Python. */
export async function sadmPublish(
  url: string,
  secret: string,
  data: string,
): Promise<{ status: number; body: string }> {
  const child = python(['update', url, secret, data]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`python /update client exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim()) as { status: number; body: string };
}
