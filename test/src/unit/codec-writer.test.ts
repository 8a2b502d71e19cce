// The Writer: hand-rolled UTF-8 against the platform's encoder, growth from
// any initial size, the 16-bit nla_len limit, message framing helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncodeError, Writer } from '@ynl-ts/runtime';
import { hex } from './hex.js';

test('string() writes exactly what TextEncoder writes; a lone surrogate is an EncodeError', () => {
  const te = new TextEncoder();
  const units = [
    0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xfffd, 0xffff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0x00e9,
    0x20ac,
  ];
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let i = 0; i < 5000; i++) {
    let s = '';
    const len = rnd(12);
    for (let k = 0; k < len; k++) {
      s +=
        rnd(4) === 0
          ? String.fromCodePoint(0x10000 + rnd(0xfffff))
          : String.fromCharCode(units[rnd(units.length)]!);
    }
    const w = new Writer(1);
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)) {
      // TextEncoder would send U+FFFD: not the user's text, so refused
      assert.throws(
        () => w.string(s, false),
        (e: unknown) => e instanceof EncodeError && /lone surrogate/.test(e.reason),
      );
      assert.equal(w.pos, 0);
      continue;
    }
    const n = w.string(s, false);
    const expected = te.encode(s);
    assert.equal(hex(w.bytes()), hex(expected), JSON.stringify(s));
    assert.equal(n, expected.length);
  }
  const w = new Writer(1);
  assert.equal(w.string('ab'), 3, 'the NUL is counted');
  assert.equal(hex(w.bytes()), '616200');
});

test('the buffer grows from any initial size, keeping what was written', () => {
  for (const size of [0, 1, 3, 4, 5]) {
    const w = new Writer(size);
    for (let i = 0; i < 300; i++) w.u8(i & 0xff);
    w.u64(0x0102030405060708n, true);
    assert.equal(w.pos, 308);
    const b = w.bytes();
    assert.equal(b[299], 299 & 0xff);
    assert.equal(hex(b.subarray(300)), '0102030405060708');
  }
});

test('bytes() copies, subarray() views', () => {
  const w = new Writer(8);
  w.u32(1);
  const copy = w.bytes();
  const view = w.subarray();
  w.pos = 0;
  w.u32(2);
  assert.equal(copy[0], 1);
  assert.equal(view[0], 2);
});

test('endAttr refuses an attribute longer than 65535 bytes; 65535 itself is fine', () => {
  const w = new Writer();
  const at = w.beginAttr(1);
  w.zeros(65531);
  w.endAttr(at);
  assert.equal(hex(w.bytes().subarray(0, 4)), 'ffff0100');
  assert.equal(w.pos, 65536, 'padded to alignment');
  const w2 = new Writer();
  const at2 = w2.beginNest(2);
  w2.zeros(65532);
  assert.throws(
    () => w2.endAttr(at2),
    (e: unknown) => e instanceof EncodeError && /65536 bytes exceeds/.test(e.reason),
  );
});

test('beginMessage/genlHeader/endMessage/patchSeq lay out nlmsghdr + genlmsghdr', () => {
  const w = new Writer(4);
  w.u8(0xff); // a misaligned start: the message begins at the next 4-byte boundary
  const at = w.beginMessage(0x1234, 0x0305, 0xffffffff + 2, 0x80000000);
  assert.equal(at, 4);
  w.genlHeader(3, 2);
  w.u8(9);
  w.endMessage(at);
  w.patchSeq(at, 77);
  assert.equal(
    hex(w.bytes()),
    'ff000000' + '18000000 3412 0503 4d000000 00000080 0302 0000 09000000'.replace(/\s+/g, ''),
  );
});
