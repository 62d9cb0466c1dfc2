import { SseParser, type StreamEvent } from '@lanctl/sync';

export interface OpenStream {
  status: number;
  /** Events received so far (grows while the stream is open). */
  events: StreamEvent[];
  /** Settles when the server ends the stream (or `stop()` aborts it). */
  ended: Promise<void>;
  stop(): void;
}

/** Opens a native change stream and collects its events until `stop()` (tests only). */
export async function openStream(
  url: string,
  token: string | null,
  since?: number,
): Promise<OpenStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (since !== undefined) headers['last-event-id'] = String(since);
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: StreamEvent[] = [];
  let ended: Promise<void> = Promise.resolve();
  if (res.ok && res.body) {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    ended = (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          for (const e of parser.push(decoder.decode(chunk, { stream: true }))) {
            if (e.type !== 'error') events.push(e);
          }
        }
      } catch {
        // aborted by stop()
      }
    })();
  } else {
    await res.arrayBuffer();
  }
  return { status: res.status, events, ended, stop: () => controller.abort() };
}

/** Polls `check` every 25 ms for up to `ms`; throws naming `what` on timeout. */
export async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
