/**
 * RFC 764 NVT ASCII, as TFTP's netascii mode sends it: LF → CR LF, a bare CR → CR NUL. The
 * server converts a file once (the result is what tsize announces).
 */
export function toNetascii(input: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of input) if (b === 0x0a || b === 0x0d) extra++;
  if (extra === 0) return input;
  const out = new Uint8Array(input.length + extra);
  let at = 0;
  for (const b of input) {
    if (b === 0x0a) {
      out[at++] = 0x0d;
      out[at++] = 0x0a;
    } else if (b === 0x0d) {
      out[at++] = 0x0d;
      out[at++] = 0x00;
    } else out[at++] = b;
  }
  return out;
}

/** The reverse (a client's view): CR LF → LF, CR NUL → CR. */
export function fromNetascii(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  let at = 0;
  for (let i = 0; i < input.length; i++) {
    const b = input[i]!;
    const next = input[i + 1];
    if (b === 0x0d && next === 0x0a) {
      out[at++] = 0x0a;
      i++;
    } else if (b === 0x0d && next === 0x00) {
      out[at++] = 0x0d;
      i++;
    } else out[at++] = b;
  }
  return out.slice(0, at);
}
