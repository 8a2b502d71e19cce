/** Hex text of bytes (no spaces), and bytes from hex text (whitespace ignored): the codec tests' wire notation. */
export const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const bytes = (h: string): Uint8Array =>
  new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
