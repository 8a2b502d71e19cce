#!/usr/bin/env python3
"""genl-probe.py FAMILY...: resolve generic netlink families with
CTRL_CMD_GETFAMILY (stdlib only) and print them as JSON:
{"<name>": {"id", "version", "hdrsize", "maxattr", "ops": [{"id", "flags"}],
            "mcastGroups": [{"name", "id"}]} | null (not found)}.
An independent decoder for the OVS VM tests to check the runtime against."""
import json
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_NEWFAMILY, CTRL_CMD_GETFAMILY = 1, 3
ATTR_ID, ATTR_NAME, ATTR_VERSION, ATTR_HDRSIZE, ATTR_MAXATTR, ATTR_OPS, ATTR_MCAST = range(1, 8)
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR, NLMSG_DONE = 2, 3


def attr(atype: int, payload: bytes) -> bytes:
    return struct.pack("=HH", 4 + len(payload), atype) + payload + b"\0" * (-len(payload) % 4)


def attrs(buf: bytes) -> list:
    out, off = [], 0
    while off + 4 <= len(buf):
        alen, atype = struct.unpack_from("=HH", buf, off)
        if alen < 4:
            break
        out.append((atype & 0x3FFF, buf[off + 4 : off + alen]))
        off += (alen + 3) & ~3
    return out


def u32(b: bytes) -> int:
    return struct.unpack_from("=I", b)[0]


def get_family(sock: socket.socket, name: str, seq: int):
    body = struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) + attr(ATTR_NAME, name.encode() + b"\0")
    sock.send(struct.pack("=IHHII", 16 + len(body), GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
    fam = None
    while True:
        data = sock.recv(65536)
        off = 0
        while off + 16 <= len(data):
            mlen, mtype, _, _, _ = struct.unpack_from("=IHHII", data, off)
            msg = data[off + 16 : off + mlen]
            off += (mlen + 3) & ~3
            if mtype == NLMSG_ERROR:
                err = struct.unpack_from("=i", msg)[0]
                return None if err != 0 else fam
            if mtype == NLMSG_DONE:
                return fam
            if mtype == GENL_ID_CTRL and msg[0] == CTRL_CMD_NEWFAMILY:
                fam = {"ops": [], "mcastGroups": []}
                for atype, val in attrs(msg[4:]):
                    if atype == ATTR_ID:
                        fam["id"] = struct.unpack_from("=H", val)[0]
                    elif atype == ATTR_NAME:
                        fam["name"] = val.rstrip(b"\0").decode()
                    elif atype == ATTR_VERSION:
                        fam["version"] = u32(val)
                    elif atype == ATTR_HDRSIZE:
                        fam["hdrsize"] = u32(val)
                    elif atype == ATTR_MAXATTR:
                        fam["maxattr"] = u32(val)
                    elif atype == ATTR_OPS:
                        for _, op in attrs(val):
                            d = dict(attrs(op))
                            fam["ops"].append({"id": u32(d[1]), "flags": u32(d[2]) if 2 in d else 0})
                    elif atype == ATTR_MCAST:
                        for _, g in attrs(val):
                            d = dict(attrs(g))
                            fam["mcastGroups"].append({"name": d[1].rstrip(b"\0").decode(), "id": u32(d[2])})


def main() -> int:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.bind((0, 0))
    print(json.dumps({name: get_family(s, name, seq) for seq, name in enumerate(sys.argv[1:], 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
