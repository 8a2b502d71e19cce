#!/usr/bin/env python3
"""extract-vmlinux.py BZIMAGE OUT: write the ELF vmlinux inside a bzImage.

QEMU boots an ELF kernel that carries the Xen PVH note (Debian: CONFIG_PVH=y)
directly, which saves the 3-4 s that TCG spends decompressing a bzImage on
every boot. Stdlib only. Exit 1 if no PVH-capable ELF is found."""
import lzma
import struct
import subprocess
import sys
import zlib


def has_pvh_note(elf: bytes) -> bool:
    (phoff,) = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_off, _, _, p_filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        off, end = p_off, p_off + p_filesz
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, off)
            name = elf[off + 12 : off + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == 18:  # XEN_ELFNOTE_PHYS32_ENTRY
                return True
            off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def unzstd(b: bytes) -> bytes:
    # Python 3.11 has no zstd module: use the zstd tool (Debian 6.12 kernels
    # are zstd-compressed). Data after the frame makes it fail; keep its output.
    r = subprocess.run(["zstd", "-dcq"], input=b, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    return r.stdout


def main() -> int:
    data = open(sys.argv[1], "rb").read()
    decoders = (
        (b"\xfd7zXZ\x00", lambda b: lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(b)),
        (b"\x1f\x8b\x08", lambda b: zlib.decompressobj(31).decompress(b)),
        (b"\x28\xb5\x2f\xfd", unzstd),
    )
    for magic, dec in decoders:
        pos = data.find(magic)
        while pos != -1:
            try:
                out = dec(data[pos:])
                if out[:4] == b"\x7fELF" and has_pvh_note(out):
                    with open(sys.argv[2], "wb") as f:
                        f.write(out)
                    return 0
            except (lzma.LZMAError, zlib.error, EOFError, struct.error, OSError):
                pass
            pos = data.find(magic, pos + 1)
    return 1


if __name__ == "__main__":
    sys.exit(main())
